-- AlterTable
ALTER TABLE "model_runs" ADD COLUMN "artifact_hash" CHAR(64);

-- CreateTable
CREATE TABLE "model_artifacts" (
    "run_id" INTEGER NOT NULL,
    "path" VARCHAR(256) NOT NULL,
    "content" BYTEA NOT NULL,
    "sha256" CHAR(64) NOT NULL,

    CONSTRAINT "model_artifacts_pkey" PRIMARY KEY ("run_id","path")
);

-- AddForeignKey
ALTER TABLE "model_artifacts" ADD CONSTRAINT "model_artifacts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "model_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The weights are already dense floats: compressing them only costs time.
ALTER TABLE "model_artifacts" ALTER COLUMN "content" SET STORAGE EXTERNAL;

-- Every instance hears at once when another run becomes the active one (src/serving/active-model.ts
-- listens; it also polls, in case a notification is missed). Not expressible in schema.prisma.
CREATE FUNCTION "model_runs_active_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."active" AND (TG_OP = 'INSERT' OR NOT OLD."active") THEN
    PERFORM pg_notify('active_model_changed', NEW."id"::text);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "model_runs_active_changed" AFTER INSERT OR UPDATE OF "active" ON "model_runs"
  FOR EACH ROW EXECUTE FUNCTION "model_runs_active_notify"();
