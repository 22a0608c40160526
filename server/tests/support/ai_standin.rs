//! A local stand-in for the AI providers' APIs (issue 19): this machine has no network, so the
//! server tests and the browser tests point `SITEPILOT_AI_BASE_URL` here. It speaks both wire
//! protocols the app's clients use, streamed as Server-Sent Events:
//! - Anthropic Messages (`POST /v1/messages`): `message_start`, `content_block_start` with a
//!   `tool_use` block, `input_json_delta` pieces, `message_delta` with the output tokens,
//!   `message_stop`;
//! - OpenAI chat completions (`POST /chat/completions` or `/v1/chat/completions`): chunks with
//!   `tool_calls[0].function.arguments` pieces, a usage chunk, `[DONE]`.
//!
//! Every request is recorded (path, headers, JSON body). Replies come from a script, first in
//! first out; with the script empty it answers the tool it was asked for with a valid input
//! made from the request ([`auto_input`]), so a browser test gets plausible, checkable text.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// Token counts the stand-in reports: (prompt, completion).
pub const USAGE: (i64, i64) = (120, 40);

#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone, Debug)]
pub enum Reply {
    /// A well-formed stream whose tool input is this value.
    Tool(Value),
    /// An error answer with this status and JSON body.
    Status(u16, Value),
    /// Accept the request and never answer.
    Hang,
}

#[derive(Clone, Default)]
pub struct AiStandIn {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub script: Arc<Mutex<VecDeque<Reply>>>,
    /// How long the site generator's calls (`plan_pages`, `write_page`) wait before answering,
    /// so a browser can watch the steps and reload mid-way.
    pub site_delay: Arc<Mutex<std::time::Duration>>,
}

impl AiStandIn {
    /// Serves on a free loopback port; returns the base URL's address.
    pub async fn start() -> (Self, SocketAddr) {
        let standin = Self::default();
        let app = Router::new()
            .route("/v1/messages", post(answer))
            .route("/chat/completions", post(answer))
            .route("/v1/chat/completions", post(answer))
            .with_state(standin.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the AI stand-in");
        let addr = listener.local_addr().expect("stand-in address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("AI stand-in");
        });
        (standin, addr)
    }

    pub fn push(&self, reply: Reply) {
        self.script.lock().expect("lock").push_back(reply);
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

/// A valid input for the tool the request forces, made from the request itself.
pub fn auto_input(body: &Value) -> Value {
    let tool = body
        .pointer("/tool_choice/name")
        .or_else(|| body.pointer("/tool_choice/function/name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    match tool {
        "suggest_copy" => json!({ "options": [
            "Fresh ideas, built to last",
            "Made with care, right here",
            "Everything you need, nothing you don't"
        ] }),
        "seo_fields" => json!({
            "title": "Handmade goods from our studio",
            "description": "See what we make, how we make it and how to order: small batches, honest prices and friendly help.",
            "og_title": "Handmade goods from our studio",
            "og_description": "Small batches, honest prices and friendly help."
        }),
        // A teal palette that passes every contrast check of the branding panel.
        "color_palette" => json!({
            "primary": "#0F766E", "secondary": "#134E4A", "background": "#FFFFFF",
            "surface": "#F0FDFA", "text": "#0F172A", "text_muted": "#475569",
            "accent": "#B45309", "danger": "#B91C1C", "success": "#15803D"
        }),
        // "New <label>" for every field the schema asks for, within its limit.
        "rewrite_section" => {
            let schema = body
                .pointer("/tools/0/input_schema")
                .or_else(|| body.pointer("/tools/0/function/parameters"));
            let mut out = serde_json::Map::new();
            if let Some(props) = schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
            {
                for (name, spec) in props {
                    let label = spec["description"].as_str().unwrap_or(name);
                    let max = spec["maxLength"].as_u64().unwrap_or(40) as usize;
                    let text: String = format!("New {label}").chars().take(max).collect();
                    out.insert(name.clone(), Value::String(text));
                }
            }
            Value::Object(out)
        }
        // The pages the owner asked for ("Pages wanted: <site_content>home, menu</site_content>"),
        // home first; three when the answer is empty.
        "plan_pages" => {
            let prompt = prompt_of(body);
            let wanted = prompt
                .split("Pages wanted: <site_content>")
                .nth(1)
                .and_then(|rest| rest.split("</site_content>").next())
                .unwrap_or_default();
            let mut titles: Vec<String> = wanted
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    let mut c = t.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            if titles.is_empty() {
                titles = vec!["Home".into(), "About".into(), "Contact".into()];
            }
            json!({ "pages": titles.iter().map(|t| json!({ "title": t, "purpose": format!("The {t} page") })).collect::<Vec<_>>() })
        }
        // A hero named after the page and a call to action.
        "write_page" => {
            let prompt = prompt_of(body);
            let title = prompt
                .split("Write the page \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("Welcome");
            json!({ "blocks": [
                { "type": "hero", "props": { "heading": format!("{title}: made fresh every morning"), "subheading": "Small batches, honest prices." } },
                { "type": "cta", "props": { "heading": "Visit us today", "body": "We open at seven.", "button_label": "Find us", "button_href": "/" } }
            ] })
        }
        // A page titled with the editor's first words, a hero and a call to action.
        "new_page" => {
            let prompt = prompt_of(body);
            let asked = prompt
                .split("asks for a new page: <site_content>")
                .nth(1)
                .and_then(|rest| rest.split("</site_content>").next())
                .unwrap_or("New page");
            let words: Vec<&str> = asked.split_whitespace().take(3).collect();
            let mut title = words.join(" ");
            if let Some(first) = title.get(..1) {
                title = first.to_uppercase() + &title[1..];
            }
            json!({ "title": title, "blocks": [
                { "type": "hero", "props": { "heading": format!("{title}, at a glance"), "subheading": "Everything you need to know." } },
                { "type": "cta", "props": { "heading": "Questions?", "body": "Ask us any time.", "button_label": "Contact us", "button_href": "/" } }
            ] })
        }
        _ => json!({}),
    }
}

/// The user turn of a request, in either protocol.
pub fn prompt_of(body: &Value) -> String {
    body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string()
}

async fn answer(
    State(s): State<AiStandIn>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let path = uri.path().to_string();
    s.seen.lock().expect("lock").push(Seen {
        path: path.clone(),
        headers,
        body: body.clone(),
    });
    let reply = s
        .script
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or_else(|| Reply::Tool(auto_input(&body)));
    let input = match reply {
        Reply::Tool(v) => v,
        Reply::Status(code, body) => {
            let mut res = (StatusCode::from_u16(code).expect("status"), Json(body)).into_response();
            if code == 429 {
                res.headers_mut()
                    .insert("retry-after", "1".parse().expect("header"));
            }
            return res;
        }
        Reply::Hang => {
            std::future::pending::<()>().await;
            unreachable!("pending never resolves")
        }
    };
    let tool = body
        .pointer("/tool_choice/name")
        .or_else(|| body.pointer("/tool_choice/function/name"))
        .and_then(Value::as_str)
        .unwrap_or("tool")
        .to_string();
    if tool == "plan_pages" || tool == "write_page" {
        let delay = *s.site_delay.lock().expect("lock");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
    let json_text = input.to_string();
    // The input arrives in three pieces, as real streams split it.
    let third = json_text.len() / 3;
    let cut = |i: usize| {
        let mut at = i;
        while !json_text.is_char_boundary(at) {
            at += 1;
        }
        at
    };
    let (a, b) = (cut(third), cut(2 * third));
    let pieces = [&json_text[..a], &json_text[a..b], &json_text[b..]];
    let mut chunks: Vec<String> = Vec::new();
    if path == "/v1/messages" {
        let ev = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
        chunks.push(ev("message_start", json!({"type": "message_start", "message": {"id": "msg_standin", "type": "message", "role": "assistant", "content": [], "usage": {"input_tokens": USAGE.0, "output_tokens": 1}}})));
        chunks.push(ev("ping", json!({"type": "ping"})));
        chunks.push(ev("content_block_start", json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_standin", "name": tool, "input": {}}})));
        for p in pieces {
            chunks.push(ev("content_block_delta", json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": p}})));
        }
        chunks.push(ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ));
        chunks.push(ev("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": USAGE.1}})));
        chunks.push(ev("message_stop", json!({"type": "message_stop"})));
    } else {
        let data = |v: Value| format!("data: {v}\n\n");
        chunks.push(data(json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [{"index": 0, "id": "call_standin", "type": "function", "function": {"name": tool, "arguments": ""}}]}}]})));
        for p in pieces {
            chunks.push(data(json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": p}}]}}]})));
        }
        chunks.push(data(json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})));
        chunks.push(data(json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": USAGE.0, "completion_tokens": USAGE.1, "total_tokens": USAGE.0 + USAGE.1}})));
        chunks.push("data: [DONE]\n\n".to_string());
    }
    let stream = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
    );
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .expect("response")
}
