-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'rejected');

-- CreateEnum
CREATE TYPE "RunTrigger" AS ENUM ('schedule', 'admin', 'cli');

-- CreateTable
CREATE TABLE "model_runs" (
    "id" SERIAL NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "trigger" "RunTrigger" NOT NULL,
    "forced" BOOLEAN NOT NULL DEFAULT false,
    "config" JSONB NOT NULL,
    "backend" VARCHAR(32),
    "data_counts" JSONB,
    "metrics" JSONB,
    "history" JSONB NOT NULL DEFAULT '[]',
    "phases" JSONB NOT NULL DEFAULT '{}',
    "progress" JSONB,
    "artifact_path" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "matrix" JSONB,
    "reason" TEXT,
    "error" TEXT,
    "worker" VARCHAR(128),
    "heartbeat_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "model_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
-- Partitioned by ranges of user ids so that a write-back can build the index of
-- one partition while it copies the next (src/training/writeback.ts). Each
-- write-back replaces the whole table; until the first, one partition holds all.
CREATE TABLE "predictions" (
    "user_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "score" REAL NOT NULL
) PARTITION BY RANGE ("user_id");

CREATE TABLE "predictions_all" PARTITION OF "predictions" FOR VALUES FROM (MINVALUE) TO (MAXVALUE);

-- CreateIndex
CREATE INDEX "model_runs_status_idx" ON "model_runs"("status");

-- CreateIndex
CREATE UNIQUE INDEX "predictions_user_id_score_product_id_key" ON "predictions"("user_id", "score", "product_id");

-- At most one run is active, and at most one is queued or running: concurrent
-- retrain requests collapse onto that one (not expressible in schema.prisma).
CREATE UNIQUE INDEX "model_runs_single_active" ON "model_runs"("active") WHERE "active";
CREATE UNIQUE INDEX "model_runs_single_pending" ON "model_runs"((true)) WHERE "status" IN ('queued', 'running');
