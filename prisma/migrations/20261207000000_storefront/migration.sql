-- Visitors: users the shop never created, made by their first event (src/events/event-log.ts) until
-- mergeVisitor moves their history to an account.
ALTER TABLE "users" ADD COLUMN "visitor" BOOLEAN NOT NULL DEFAULT false;

-- The client's own id of an event: a retried recordEvents (or import) with the same id is kept once.
ALTER TABLE "events" ADD COLUMN "event_id" VARCHAR(128);
CREATE UNIQUE INDEX "events_event_id_key" ON "events"("event_id");
