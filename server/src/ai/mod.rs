//! The AI assistant's model providers (issue 19): the Anthropic Messages API and the OpenAI
//! chat-completions API (which Ollama, llama.cpp's server and vLLM also speak), both streamed
//! as Server-Sent Events, both answering through one forced tool call whose JSON schema is
//! the answer's shape. Chosen by `SITEPILOT_AI_PROVIDER`; reaches the app's server functions
//! as [`AiApi`] in context.
//!
//! Each attempt has a deadline (`SITEPILOT_AI_TIMEOUT_SECS`); 429, 5xx, Anthropic's
//! `overloaded_error` and timeouts are retried (`SITEPILOT_AI_RETRIES` times, exponential
//! backoff from 500 ms, or the provider's `Retry-After` up to 10 s). Dropping the future (the
//! browser went away) drops the request. Token counts are the ones the API reports.

mod anthropic;
mod openai;

use std::sync::Arc;
use std::time::Duration;

use app::api::ai::{AiAnswer, AiApi, AiCallError, AiRequest};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;

use crate::config::ConfigError;

pub const ANTHROPIC_API_BASE: &str = "https://api.anthropic.com";
pub const OPENAI_API_BASE: &str = "https://api.openai.com/v1";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_RETRIES: u32 = 2;
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Anthropic,
    /// OpenAI, or any server speaking its chat-completions API.
    OpenAi,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anthropic => "anthropic",
            Self::OpenAi => "openai",
        }
    }
}

/// `SITEPILOT_AI_PROVIDER`, `_BASE_URL`, `_API_KEY`, `_MODEL`, `_TIMEOUT_SECS`, `_RETRIES`.
/// Not `Debug`: it holds the key.
#[derive(Clone)]
pub struct AiSettings {
    pub provider: Provider,
    pub base_url: String,
    /// Required for Anthropic; optional for OpenAI-compatible servers run locally.
    pub api_key: Option<String>,
    pub model: String,
    pub timeout: Duration,
    pub retries: u32,
}

impl AiSettings {
    /// `None` when `SITEPILOT_AI_PROVIDER` is unset or empty.
    pub fn from_lookup(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let set = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(provider) = set("SITEPILOT_AI_PROVIDER") else {
            return Ok(None);
        };
        let provider = match provider.to_ascii_lowercase().as_str() {
            "anthropic" => Provider::Anthropic,
            "openai" => Provider::OpenAi,
            other => {
                return Err(ConfigError::Refused(format!(
                    "SITEPILOT_AI_PROVIDER must be anthropic or openai (OpenAI-compatible servers such as Ollama use openai), not {other:?}"
                )))
            }
        };
        let api_key = set("SITEPILOT_AI_API_KEY");
        if provider == Provider::Anthropic && api_key.is_none() {
            return Err(ConfigError::Missing("SITEPILOT_AI_API_KEY"));
        }
        let base_url = set("SITEPILOT_AI_BASE_URL")
            .unwrap_or_else(|| match provider {
                Provider::Anthropic => ANTHROPIC_API_BASE.into(),
                Provider::OpenAi => OPENAI_API_BASE.into(),
            })
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(ConfigError::Refused(format!(
                "SITEPILOT_AI_BASE_URL must be an http(s) URL, not {base_url:?}"
            )));
        }
        let model = set("SITEPILOT_AI_MODEL").ok_or(ConfigError::Missing("SITEPILOT_AI_MODEL"))?;
        let timeout = match set("SITEPILOT_AI_TIMEOUT_SECS") {
            None => DEFAULT_TIMEOUT,
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=600).contains(n))
                .map(Duration::from_secs)
                .ok_or(ConfigError::Invalid(
                    "SITEPILOT_AI_TIMEOUT_SECS must be a whole number of seconds from 1 to 600",
                ))?,
        };
        let retries = match set("SITEPILOT_AI_RETRIES") {
            None => DEFAULT_RETRIES,
            Some(s) => s
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 5)
                .ok_or(ConfigError::Invalid(
                    "SITEPILOT_AI_RETRIES must be a number from 0 to 5",
                ))?,
        };
        Ok(Some(Self {
            provider,
            base_url,
            api_key,
            model,
            timeout,
            retries,
        }))
    }
}

/// How one attempt ended, before the retry decision.
#[derive(Debug)]
enum Attempt {
    /// Worth another try (429, 5xx, overloaded, cut-off stream); `wait` from `Retry-After`.
    Retry {
        rate_limited: bool,
        why: String,
        wait: Option<Duration>,
    },
    /// Retrying cannot help (a refused key, a bad request, an answer without the tool call).
    Fatal(String),
}

/// The token counts and tool input gathered from a stream.
#[derive(Debug, Default)]
struct Gathered {
    input_json: String,
    saw_tool: bool,
    prompt_tokens: i64,
    completion_tokens: i64,
}

impl Gathered {
    fn finish(self) -> Result<AiAnswer, Attempt> {
        if !self.saw_tool {
            return Err(Attempt::Fatal(
                "the model answered without calling the tool".into(),
            ));
        }
        let text = if self.input_json.trim().is_empty() {
            "{}"
        } else {
            self.input_json.as_str()
        };
        let output = serde_json::from_str(text)
            .map_err(|e| Attempt::Fatal(format!("the tool input is not JSON ({e})")))?;
        let clamp = |n: i64| i32::try_from(n.max(0)).unwrap_or(i32::MAX);
        Ok(AiAnswer {
            output,
            prompt_tokens: clamp(self.prompt_tokens),
            completion_tokens: clamp(self.completion_tokens),
        })
    }
}

#[derive(Clone)]
pub struct AiClient {
    http: reqwest::Client,
    settings: Arc<AiSettings>,
}

impl AiClient {
    pub fn new(settings: AiSettings) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent("SitePilot")
            .build()?;
        Ok(Self {
            http,
            settings: Arc::new(settings),
        })
    }

    /// The client as the app's server functions see it.
    pub fn into_api(self) -> AiApi {
        AiApi {
            provider: self.settings.provider.as_str(),
            model: self.settings.model.clone(),
            call: Arc::new(move |req| {
                let client = self.clone();
                Box::pin(async move { client.call(&req).await })
            }),
        }
    }

    /// One request with retries, each attempt under the deadline.
    pub async fn call(&self, req: &AiRequest) -> Result<AiAnswer, AiCallError> {
        let s = &self.settings;
        let mut backoff = Duration::from_millis(500);
        let mut attempt = 0;
        loop {
            let outcome = match tokio::time::timeout(s.timeout, self.once(req)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Attempt::Retry {
                    rate_limited: false,
                    why: format!("no complete answer within {} s", s.timeout.as_secs()),
                    wait: None,
                }),
            };
            match outcome {
                Ok(answer) => return Ok(answer),
                Err(Attempt::Fatal(why)) => return Err(AiCallError::Failed(why)),
                Err(Attempt::Retry {
                    rate_limited,
                    why,
                    wait,
                }) => {
                    if attempt >= s.retries {
                        return Err(if rate_limited {
                            AiCallError::RateLimited(why)
                        } else {
                            AiCallError::Failed(why)
                        });
                    }
                    attempt += 1;
                    tracing::info!(provider = s.provider.as_str(), attempt, %why, "AI call retried");
                    tokio::time::sleep(wait.unwrap_or(backoff).min(MAX_RETRY_WAIT)).await;
                    backoff *= 2;
                }
            }
        }
    }

    async fn once(&self, req: &AiRequest) -> Result<AiAnswer, Attempt> {
        let s = &self.settings;
        let (url, body) = match s.provider {
            Provider::Anthropic => (
                format!("{}/v1/messages", s.base_url),
                anthropic::body(&s.model, req),
            ),
            Provider::OpenAi => (
                format!("{}/chat/completions", s.base_url),
                openai::body(&s.model, req),
            ),
        };
        let mut builder = self
            .http
            .post(&url)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        builder = match (s.provider, &s.api_key) {
            (Provider::Anthropic, Some(key)) => builder
                .header("x-api-key", key)
                .header("anthropic-version", anthropic::VERSION),
            (Provider::OpenAi, Some(key)) => builder.bearer_auth(key),
            (_, None) => builder,
        };
        let res = builder.send().await.map_err(|e| Attempt::Retry {
            rate_limited: false,
            why: format!("the provider could not be reached ({})", e.without_url()),
            wait: None,
        })?;
        let status = res.status();
        if !status.is_success() {
            let wait = res
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = res.text().await.unwrap_or_default();
            let why = format!("HTTP {} {}", status.as_u16(), error_message(&text));
            return Err(match status.as_u16() {
                429 => Attempt::Retry {
                    rate_limited: true,
                    why,
                    wait,
                },
                500..=599 => Attempt::Retry {
                    rate_limited: false,
                    why,
                    wait,
                },
                _ => Attempt::Fatal(why),
            });
        }
        let mut events = res.bytes_stream().eventsource();
        let mut got = Gathered::default();
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| Attempt::Retry {
                rate_limited: false,
                why: format!("the answer stream broke off ({e})"),
                wait: None,
            })?;
            let done = match s.provider {
                Provider::Anthropic => {
                    anthropic::event(&event.event, &event.data, req.tool.name, &mut got)?
                }
                Provider::OpenAi => openai::event(&event.data, req.tool.name, &mut got)?,
            };
            if done {
                break;
            }
        }
        got.finish()
    }
}

/// The provider's own error message from an error body (both APIs use `{"error": {"message"}}`).
fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.chars().take(200).collect())
}
