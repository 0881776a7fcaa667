-- The language a business's leads are texted in until their own is known (the widget's, or the one they write in).
ALTER TABLE "businesses" ADD COLUMN "default_language" TEXT NOT NULL DEFAULT 'en';
ALTER TABLE "businesses" ADD CONSTRAINT "businesses_default_language_check" CHECK ("default_language" IN ('en', 'es'));
