-- 0044: the shop's emails (issue 22 §4): a paid order sends the customer a confirmation and the
-- owner a notice, through the same outbox and delivery job as every other email.

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN (
    'invitation', 'password_reset', 'email_verification', 'form_submission',
    'billing_notice', 'domain_notice', 'webhook_notice', 'ownership_transfer',
    'order_confirmation', 'order_notice'));
