//! Wire types shared by the server and the browser. Validation lives here: inputs are parsed
//! into these types at the boundary, so the rest of the code handles only valid values.

mod ai;
mod analytics;
mod backup;
mod billing;
mod branding;
mod branding_rules;
mod categories;
mod commerce;
mod defaults;
mod deployments;
mod domain;
mod edit;
pub mod fields;
mod forms;
mod global_blocks;
mod inputs;
mod integrations;
mod kind;
mod mail;
mod media;
mod org_lifecycle;
mod organisation;
mod page;
mod page_layout;
mod page_meta;
mod product_csv;
mod promotions;
mod props;
mod realtime;
mod rich_text;
mod role;
mod shop;
mod snapshot;
pub mod staff;
mod storefront;
mod team;
mod templates;
pub mod value_reader;
mod versions;
mod views;
mod website_settings;

pub use ai::{
    AiAction, AiActionUse, AiDay, AiStatus, AiUsageReport, CopySuggestions, CreditPack, Generation,
    GenerationBrief, GenerationStatus, GenerationStep, PaletteSuggestion, SectionRewrite,
    SeoSuggestion, TopUpStarted, AI_NOT_CONFIGURED, BRIEF_FIELD_MAX, CREDIT_PACKS,
    CREDIT_PACK_CURRENCY, GENERATED_PAGES_MAX, SEO_DESCRIPTION_MAX, SEO_TITLE_MAX,
};
pub use analytics::{
    conversion_rate, is_crawler, referrer_source, AnalyticsReport, Count, CurrencyRevenue,
    DayMetrics, Device, ShopDay, ShopReport, ANALYTICS_RANGES,
};
pub use backup::{
    upgrade as upgrade_backup, BackupBlock, BackupGlobalBlock, BackupPage, BackupSummary,
    BackupWebsite, SiteBackup, ValidBlock, ValidGlobalBlock, ValidPage, ValidSite, BACKUP_FORMAT,
    BACKUP_MAX_BYTES, BACKUP_VERSION,
};
pub use billing::{
    is_reserved_subdomain, parse_subdomain, BillingOverview, BillingStatus, BillingWebsite,
    Invoice, InvoiceHistory, InvoiceSource, PlanCard, UsageMeter,
};
pub use branding::{
    BorderRadius, BrandColors, BrandLogo, Branding, BrandingConfig, Spacing, Typography,
};
pub use branding_rules::{
    check_image_address, color_input_value, contrast_ratio, is_hex_color, ContrastCheck, FONTS,
    FONT_SIZE, HEADING_WEIGHT, LINE_HEIGHT, LOGO_HEIGHT, LOGO_WIDTH,
};
pub use categories::{
    parse_category, subtree, tree_order, CategoriesOverview, Category, CategoryInput,
    ValidCategory, CATEGORIES_MAX, CATEGORY_DEPTH_MAX, PRODUCT_CATEGORIES_MAX,
};
pub use commerce::{
    allocate_discount, currency_exponent, discount_amount, format_money, is_product_slug,
    money_input, parse_currency, parse_money, parse_product, percent_of, Discount, ProductDetail,
    ProductInput, ProductQuery, ProductStatus, ProductSummary, ProductsOverview, StorefrontCard,
    StorefrontProduct, StorefrontVariant, ValidProduct, ValidVariant, VariantInput, CURRENCIES,
    PRODUCT_LIST_LIMIT, PRODUCT_OPTIONS_MAX, STOREFRONT_LIST_LIMIT, VARIANTS_MAX,
};
pub use deployments::{
    parse_deployment_notes, DeploymentSummary, RolledBack, DEPLOYMENT_NOTES_MAX,
};
pub use domain::{
    verify_record_name, DnsRecordToCreate, DomainName, DomainSettings, DomainStatus, VERIFY_LABEL,
};
pub use edit::{Edit, History, NewBlock, PendingEdits};
pub use forms::{
    check_submission, csv_cell, FieldMap, FormSlot, SubmissionDetail, SubmissionSummary,
    SubmittedField, FORM_ID_FIELD, HONEYPOT_FIELD, LINE_MAX, TEXTAREA_MAX,
};
pub use global_blocks::{
    clipboard_payload, parse_clipboard, parse_global_block_name, BlockPlaced, GlobalBlock,
    GlobalBlockCreated, GlobalBlockSaved, GlobalBlockUse, GlobalBlockUses, PageRevision,
    CLIPBOARD_FORMAT, CLIPBOARD_MAX_BYTES, CLIPBOARD_VERSION,
};
pub use inputs::{check_len, check_url, parse_name, slugify, Email, Password};
pub use integrations::{
    is_webhook_event, parse_api_key_name, parse_api_scopes, parse_webhook_events,
    parse_webhook_url, ApiKeyCreated, ApiKeyInfo, ApiKeysOverview, ApiScope, WebhookDelivery,
    WebhookEndpoint, WebhooksOverview, API_KEY_MAX_DAYS, WEBHOOKS_PER_WEBSITE, WEBHOOK_EVENTS,
    WEBHOOK_LOG_LIMIT, WEBHOOK_URL_MAX,
};
pub use kind::ComponentKind;
pub use mail::{EmailStatus, ResetLinkState, RESET_TOKEN_MINUTES, VERIFY_TOKEN_DAYS};
pub use media::{
    has_variants, original_key, original_url, parse_tags, referenced_assets, variant_key,
    variant_url, AssetDeleted, AssetInfo, AssetKind, AssetLibrary, AssetQuery, MediaFile, MediaRef,
    ASSET_NAME_MAX, ASSET_TAGS_MAX, ASSET_TAG_MAX, MEDIA_PREFIX, VARIANT_WIDTHS,
};
pub use org_lifecycle::{
    DeletionState, ExportManifest, ExportStatus, ManifestFile, ManifestOrganisation,
    ManifestWebsite, OrgExport, EXPORT_DAYS, EXPORT_FORMAT_VERSION, RETENTION_DAYS,
};
pub use organisation::{
    Onboarding, OnboardingItem, Organisation, OrganisationInput, PendingTransfer,
    TransferCandidate, TransferState, ValidOrganisation, COMMON_TIMEZONES, LOCALES,
};
pub use page::{
    parse_nav_label, parse_page_password, parse_page_title, NavMove, PageCreated, PageInfo,
    PagePatch, PageSlug, PageStatus, PagesOverview,
};
pub use page_meta::{PageConfig, SeoMeta, OG_TYPES, TWITTER_CARDS};
#[cfg(feature = "ssr")]
pub use product_csv::read_products_csv;
pub use product_csv::{
    at_line, product_csv_lines, ImportedProduct, ProductImport, PRODUCT_CSV_COLUMNS,
    PRODUCT_CSV_MAX_BYTES,
};
pub use promotions::{
    amount_text, apply_promotion, discount_label, is_promotion_code, normalize_code,
    parse_promotion, Applied, CartCode, DiscountKind, NotApplied, PromotionInput, PromotionRule,
    PromotionSummary, PromotionsOverview, ScopeChoice, ScopedLine, ValidPromotion,
    PROMOTION_LIST_LIMIT,
};
pub use props::{
    chosen_id, parse_date, BlockProps, BlogGridProps, BlogPost, BuyButtonProps, CartProps,
    ContactFormProps, CtaProps, CustomHtmlProps, FaqItem, FaqProps, FeatureItem, FeaturesProps,
    FooterColumn, FooterLink, FooterProps, FormField, GalleryImage, GalleryProps, GridSource,
    HeroProps, ImageTextProps, LogoRef, MapProps, NavLink, NavbarProps, PricePlan, PricingProps,
    ProductDetailProps, ProductGridProps, Review, RichTextProps, SocialLink, StatItem, StatsProps,
    TeamMember, TeamProps, TestimonialsProps, TextField, VideoEmbedProps, VideoSource,
    CUSTOM_HTML_MAX, GRID_MAX,
};
pub use realtime::{
    initials, DeployAction, DeployPhase, DeployStatus, GenerationChanged, LiveEvent, PageChanged,
    PagePresence, Present, PRESENCE_HEARTBEAT_SECS, PRESENCE_MAX, PRESENCE_TTL_SECS,
};
pub use rich_text::{check_rich_text, parse_rich_text, HeadingLevel, RichBlock, Span};
pub use role::Role;
pub use shop::{
    next_order_status, order_action_label, CartLine, CartView, OrderEvent, OrderPlaced,
    OrderReceipt, OrderSummary, OrdersOverview, PaymentsAccount, PaymentsState, CART_LINES_MAX,
    CART_QUANTITY_MAX, ORDER_LIST_LIMIT, RESERVATION_MINUTES,
};
pub use snapshot::{Snapshot, SnapshotComponent, SnapshotPage};
pub use storefront::{Shelf, ShelfCategory, ShelfNeeds, ShelfProduct};
pub use team::{
    parse_avatar_url, parse_filter_date, parse_invite_role, AuditEntry, AuditFilter, AuditPage,
    BuilderPrefs, DeviceView, Invitation, InviteState, MemberInfo, NotificationPrefs, OutboxEmail,
    Preferences, TeamOverview, Theme, UserSettings, AUDIT_PAGE_SIZE, INVITE_DAYS,
};
pub use templates::{
    summary_of as template_summary, TemplateGallery, TemplateSummary, PRIVATE_TEMPLATES_MAX,
    TEMPLATE_NAME_MAX,
};
#[cfg(feature = "ssr")]
pub use templates::{BuiltinTemplate, BUILTIN_TEMPLATES};
pub use versions::{
    parse_version_label, VersionPreview, VersionSummary, VersionTrigger, VERSION_LABEL_MAX,
};
pub use views::{
    BuilderData, ComponentDto, ComponentMoved, CurrentUser, PageLink, PageSummary, Published,
    SaveAck, VersionRecorded, WebsiteSummary,
};
pub use website_settings::{
    DeletedWebsite, SiteSeoDefaults, SubdomainRedirect, WebsiteSettings, LIFECYCLE_GRACE_DAYS,
};
