//! The Anthropic Messages API: `POST /v1/messages` with `stream: true` and one forced tool.
//! The stream's events: `message_start` (prompt tokens), `content_block_start` (the tool_use
//! block), `content_block_delta` (`input_json_delta` pieces of the tool input),
//! `message_delta` (output tokens so far), `message_stop`, and `error`.

use serde_json::{json, Value};

use super::{Attempt, Gathered};
use app::api::ai::AiRequest;

/// The `anthropic-version` header this client is written against.
pub const VERSION: &str = "2023-06-01";

pub fn body(model: &str, req: &AiRequest) -> Value {
    json!({
        "model": model,
        "max_tokens": req.max_tokens,
        "system": req.system,
        "messages": [{ "role": "user", "content": req.prompt }],
        "tools": [{
            "name": req.tool.name,
            "description": req.tool.description,
            "input_schema": req.tool.schema,
        }],
        "tool_choice": { "type": "tool", "name": req.tool.name },
        "stream": true,
    })
}

/// Folds one event into `got`; `Ok(true)` at the end of the message.
pub fn event(name: &str, data: &str, tool: &str, got: &mut Gathered) -> Result<bool, Attempt> {
    let v: Value = match serde_json::from_str(data) {
        Ok(v) => v,
        // `ping` and other data-less events.
        Err(_) if data.trim().is_empty() => return Ok(false),
        Err(e) => return Err(Attempt::Fatal(format!("an event that is not JSON ({e})"))),
    };
    let kind = if name.is_empty() {
        v.get("type").and_then(Value::as_str).unwrap_or_default()
    } else {
        name
    };
    let n = |p: &str| v.pointer(p).and_then(Value::as_i64);
    match kind {
        "message_start" => {
            got.prompt_tokens = n("/message/usage/input_tokens").unwrap_or(0);
            got.completion_tokens = n("/message/usage/output_tokens").unwrap_or(0);
        }
        "content_block_start" => {
            let block = v.get("content_block");
            let is_tool = block.and_then(|b| b.get("type")).and_then(Value::as_str)
                == Some("tool_use")
                && block.and_then(|b| b.get("name")).and_then(Value::as_str) == Some(tool);
            if is_tool {
                got.saw_tool = true;
            }
        }
        "content_block_delta" => {
            if let Some(piece) = v
                .pointer("/delta/partial_json")
                .and_then(Value::as_str)
                .filter(|_| got.saw_tool)
            {
                got.input_json.push_str(piece);
            }
        }
        "message_delta" => {
            if let Some(out) = n("/usage/output_tokens") {
                got.completion_tokens = out;
            }
            if let Some(input) = n("/usage/input_tokens") {
                got.prompt_tokens = input;
            }
        }
        "message_stop" => return Ok(true),
        "error" => {
            let kind = v
                .pointer("/error/type")
                .and_then(Value::as_str)
                .unwrap_or("error");
            let message = v
                .pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or("");
            let why = format!("{kind}: {message}");
            return Err(match kind {
                "overloaded_error" | "api_error" => Attempt::Retry {
                    rate_limited: false,
                    why,
                    wait: None,
                },
                "rate_limit_error" => Attempt::Retry {
                    rate_limited: true,
                    why,
                    wait: None,
                },
                _ => Attempt::Fatal(why),
            });
        }
        _ => {}
    }
    Ok(false)
}
