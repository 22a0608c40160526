-- 0043: bought AI credits name their payment (issue 19 §5). A top-up row carries the Stripe
-- Checkout session it was paid with, at most once, so a payment delivered twice (two webhook
-- events for one session, or a retried delivery) adds its credits once.

ALTER TABLE credit_transactions ADD COLUMN reference TEXT
    CONSTRAINT credit_transactions_reference_check CHECK (length(reference) <= 255);
ALTER TABLE credit_transactions ADD CONSTRAINT credit_transactions_reference_kind_check
    CHECK (reference IS NULL OR kind = 'top_up');
CREATE UNIQUE INDEX credit_transactions_top_up_reference_key ON credit_transactions (tenant_id, reference)
    WHERE kind = 'top_up';
