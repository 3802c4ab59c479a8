-- CreateEnum
CREATE TYPE "SearchStatus" AS ENUM ('running', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "tuning_searches" (
    "id" SERIAL NOT NULL,
    "status" "SearchStatus" NOT NULL DEFAULT 'running',
    "trials" INTEGER NOT NULL,
    "space" JSONB NOT NULL,
    "metric" VARCHAR(16) NOT NULL,
    "budget_seconds" INTEGER,
    "seed" INTEGER NOT NULL,
    "best_run_id" INTEGER,
    "default_run_id" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "tuning_searches_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "model_runs" ADD COLUMN "search_id" INTEGER;

-- CreateIndex
CREATE INDEX "model_runs_search_id_idx" ON "model_runs"("search_id");

-- AddForeignKey
ALTER TABLE "model_runs" ADD CONSTRAINT "model_runs_search_id_fkey" FOREIGN KEY ("search_id") REFERENCES "tuning_searches"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- At most one run queued or running, tuning trials aside: a search's trials run beside the shop's own runs.
DROP INDEX "model_runs_single_pending";
CREATE UNIQUE INDEX "model_runs_single_pending" ON "model_runs"((true)) WHERE "status" IN ('queued', 'running') AND "trigger" <> 'tuning';
