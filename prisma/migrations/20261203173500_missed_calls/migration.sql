-- AlterTable
ALTER TABLE "businesses" ADD COLUMN     "forwarding_phone" TEXT,
ADD COLUMN     "missed_call_reply_at_night" BOOLEAN NOT NULL DEFAULT false;
