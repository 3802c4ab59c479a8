-- A matrix's score is now what each list is ordered by (the rank score of src/model/rank-blend.ts); the
-- predicted rating is kept beside it. Null in a matrix written before: its score is the predicted rating.
ALTER TABLE "predictions" ADD COLUMN "rating" REAL;
