-- Attribution (src/attribution): every served list, and the list an event came from.
CREATE TABLE "impressions" (
    "recommendation_id" VARCHAR(32) NOT NULL,
    "user_external_id" VARCHAR(128),
    "run_id" INTEGER,
    "source" VARCHAR(32) NOT NULL,
    "product_ids" INTEGER[] NOT NULL,
    "served_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "impressions_pkey" PRIMARY KEY ("recommendation_id")
);
CREATE INDEX "impressions_served_at_idx" ON "impressions"("served_at");

ALTER TABLE "events" ADD COLUMN "recommendation_id" VARCHAR(32);
CREATE INDEX "events_recommendation_id_idx" ON "events"("recommendation_id");
