-- A/B tests (src/experiments): shoppers split between models by a stable hash of their id.
CREATE TYPE "ExperimentStatus" AS ENUM ('preparing', 'running', 'stopped', 'failed');

CREATE TABLE "experiments" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "status" "ExperimentStatus" NOT NULL DEFAULT 'preparing',
    "variants" JSONB NOT NULL,
    "metric" VARCHAR(32) NOT NULL,
    "min_detectable_effect" REAL NOT NULL,
    "salt" VARCHAR(32) NOT NULL,
    "error" TEXT,
    "winner" VARCHAR(64),
    "promoted_run_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),
    CONSTRAINT "experiments_pkey" PRIMARY KEY ("id")
);
-- At most one experiment splits the shoppers at a time.
CREATE UNIQUE INDEX "experiments_one_live_idx" ON "experiments" ((true)) WHERE "status" IN ('preparing', 'running');

ALTER TABLE "impressions" ADD COLUMN "experiment_id" INTEGER, ADD COLUMN "variant" VARCHAR(64);
CREATE INDEX "impressions_experiment_id_idx" ON "impressions"("experiment_id");

-- Every instance hears at once when an experiment starts serving or stops (src/experiments/experiment-router.ts
-- listens; it also polls). Not expressible in schema.prisma.
CREATE FUNCTION "experiments_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW."status" IS DISTINCT FROM OLD."status" THEN
    PERFORM pg_notify('experiments_changed', NEW."id"::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "experiments_notify" AFTER INSERT OR UPDATE ON "experiments" FOR EACH ROW EXECUTE FUNCTION "experiments_notify"();
