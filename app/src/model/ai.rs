//! The AI assistant's wire types (issue 19, schema reference §13): the six actions with their
//! credit costs, what the builder shows about the assistant, and each action's typed answer.
//! Answers are checked by the same validators as a person's edit before they reach the browser.

use serde::{Deserialize, Serialize};

/// The six actions of `ai_usage_log.action_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiAction {
    GenerateLayout,
    GeneratePage,
    RegenerateSection,
    SuggestCopy,
    SeoOptimize,
    SuggestColorPalette,
}

impl AiAction {
    pub const ALL: [AiAction; 6] = [
        Self::GenerateLayout,
        Self::GeneratePage,
        Self::RegenerateSection,
        Self::SuggestCopy,
        Self::SeoOptimize,
        Self::SuggestColorPalette,
    ];

    /// The value stored in `ai_usage_log.action_type` and `credit_transactions.action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GenerateLayout => "generate_layout",
            Self::GeneratePage => "generate_page",
            Self::RegenerateSection => "regenerate_section",
            Self::SuggestCopy => "suggest_copy",
            Self::SeoOptimize => "seo_optimize",
            Self::SuggestColorPalette => "suggest_color_palette",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::GenerateLayout => "Whole website",
            Self::GeneratePage => "New page",
            Self::RegenerateSection => "Rewrite a block",
            Self::SuggestCopy => "Suggest copy",
            Self::SeoOptimize => "SEO fields",
            Self::SuggestColorPalette => "Colour palette",
        }
    }

    /// Credits one run costs: roughly the work the model does (a whole site is many pages).
    /// The table is in the README ("AI assistant").
    pub fn credits(self) -> i32 {
        match self {
            Self::GenerateLayout => 20,
            Self::GeneratePage => 5,
            Self::RegenerateSection => 2,
            Self::SuggestCopy | Self::SeoOptimize | Self::SuggestColorPalette => 1,
        }
    }
}

/// What the UI says when no provider is configured; no request is made then.
pub const AI_NOT_CONFIGURED: &str = "AI is not configured on this server. An administrator can turn it on by setting SITEPILOT_AI_PROVIDER (anthropic or openai), SITEPILOT_AI_API_KEY and SITEPILOT_AI_MODEL.";

/// The assistant as the builder sees it: whether it can run, and the tenant's credits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AiStatus {
    pub configured: bool,
    /// "anthropic" or "openai" (OpenAI-compatible servers included).
    pub provider: Option<String>,
    pub model: Option<String>,
    pub credits_left: i64,
    pub credits_per_month: i64,
    /// The caller's role may run AI actions (viewers may not).
    pub can_use: bool,
}

/// Three options for one text field of a block (`suggest_copy`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopySuggestions {
    pub options: Vec<String>,
    pub credits_left: i64,
}

/// Search and sharing fields for a page (`seo_optimize`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeoSuggestion {
    pub title: String,
    pub description: String,
    pub og_title: String,
    pub og_description: String,
    pub credits_left: i64,
}

/// Nine brand colours for the branding panel (`suggest_color_palette`), with the WCAG checks
/// they passed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaletteSuggestion {
    pub colors: super::BrandColors,
    pub checks: Vec<super::ContrastCheck>,
    pub credits_left: i64,
}

/// A block's props with every text field rewritten (`regenerate_section`), checked like an edit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionRewrite {
    pub props: serde_json::Value,
    pub credits_left: i64,
}

/// One day of AI use, for the owner's chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub calls: i64,
    pub credits: i64,
    pub cost_usd: f64,
}

/// Use per action over the report's window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiActionUse {
    pub action: String,
    pub label: String,
    pub calls: i64,
    pub failed: i64,
    pub credits: i64,
}

/// The owner's AI usage page: credits left and the last 30 days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiUsageReport {
    pub status: AiStatus,
    pub by_action: Vec<AiActionUse>,
    pub days: Vec<AiDay>,
    /// Whether the caller can buy credits here; otherwise why not (shown instead of the packs).
    pub top_up: Result<(), String>,
}

/// A pack of AI credits an owner can buy (issue 19 §5), paid once through Stripe Checkout
/// (or the local billing test mode). Prices are in US cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditPack {
    pub id: &'static str,
    pub credits: i32,
    pub price_cents: i64,
}

/// The packs on sale: what the top-up button offers and what the Stripe webhook accepts.
pub const CREDIT_PACKS: [CreditPack; 2] = [
    CreditPack {
        id: "credits_100",
        credits: 100,
        price_cents: 500,
    },
    CreditPack {
        id: "credits_500",
        credits: 500,
        price_cents: 2_000,
    },
];

/// The only currency packs are priced in.
pub const CREDIT_PACK_CURRENCY: &str = "usd";

impl CreditPack {
    pub fn find(id: &str) -> Option<CreditPack> {
        CREDIT_PACKS.iter().copied().find(|p| p.id == id)
    }

    /// "Buy 500 credits for $20"
    pub fn label(&self) -> String {
        format!(
            "Buy {} credits for ${}",
            self.credits,
            self.price_cents / 100
        )
    }
}

/// The answer to a top-up: Stripe Checkout's page to open, or (test mode) nothing to open
/// because the credits are already added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopUpStarted {
    pub checkout_url: Option<String>,
}

/// "Build my site from a prompt": the short questionnaire, and the new website's name and
/// address. Each answer is plain text of at most [`BRIEF_FIELD_MAX`] characters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationBrief {
    pub business: String,
    pub audience: String,
    pub tone: String,
    /// The pages wanted, in the owner's words ("home, menu, about, contact").
    pub pages: String,
    pub name: String,
    pub subdomain: String,
}

pub const BRIEF_FIELD_MAX: usize = 500;
/// Most pages one generation writes (the plan's page limit may allow fewer).
pub const GENERATED_PAGES_MAX: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenerationStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl GenerationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Running,
            Self::Succeeded,
            Self::Failed,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Succeeded, failed or cancelled: nothing changes any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// One step a generation reached ("Planning pages", "Writing Menu", …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationStep {
    pub label: String,
}

/// A generation as its progress page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub id: uuid::Uuid,
    pub status: GenerationStatus,
    pub name: String,
    pub steps: Vec<GenerationStep>,
    pub error: Option<String>,
    /// The new website, once saved.
    pub website_id: Option<uuid::Uuid>,
    /// Its home page (the builder opens it).
    pub home_page_id: Option<uuid::Uuid>,
}

/// Limits of the model's answers, the same as the inspector's fields and SEO checks.
pub const SEO_TITLE_MAX: usize = 70;
pub const SEO_DESCRIPTION_MAX: usize = 160;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_cost_at_least_one_credit() {
        for a in AiAction::ALL {
            assert_eq!(AiAction::parse(a.as_str()), Some(a));
            assert!(a.credits() >= 1, "{a:?}");
        }
        assert!(AiAction::GenerateLayout.credits() > AiAction::SuggestCopy.credits());
        assert_eq!(AiAction::parse("delete_everything"), None);
    }
}
