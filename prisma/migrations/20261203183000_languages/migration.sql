-- The language a business's leads are texted in until their own is known (the widget's, or the one they write in).
-- 'en' or 'es', checked by the settings route's schema: no CHECK constraint, which Prisma 6's WebAssembly
-- schema engine cannot introspect (migrate diff panics "unreachable"; test/db/drift.test.ts).
ALTER TABLE "businesses" ADD COLUMN "default_language" TEXT NOT NULL DEFAULT 'en';
