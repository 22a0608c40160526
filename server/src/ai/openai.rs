//! The OpenAI chat-completions API (also served by Ollama, llama.cpp's server and vLLM):
//! `POST {base}/chat/completions` with `stream: true`, one forced function tool, and
//! `stream_options.include_usage` so the last chunk carries the token counts. Chunks are
//! `data:` lines of JSON until `data: [DONE]`; the function's arguments arrive in pieces in
//! `choices[0].delta.tool_calls[0].function.arguments`.

use serde_json::{json, Value};

use super::{Attempt, Gathered};
use app::api::ai::AiRequest;

pub fn body(model: &str, req: &AiRequest) -> Value {
    json!({
        "model": model,
        "max_tokens": req.max_tokens,
        "messages": [
            { "role": "system", "content": req.system },
            { "role": "user", "content": req.prompt },
        ],
        "tools": [{
            "type": "function",
            "function": {
                "name": req.tool.name,
                "description": req.tool.description,
                "parameters": req.tool.schema,
            },
        }],
        "tool_choice": { "type": "function", "function": { "name": req.tool.name } },
        "stream": true,
        "stream_options": { "include_usage": true },
    })
}

/// Folds one chunk into `got`; `Ok(true)` at `[DONE]`.
pub fn event(data: &str, tool: &str, got: &mut Gathered) -> Result<bool, Attempt> {
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(true);
    }
    if data.is_empty() {
        return Ok(false);
    }
    let v: Value = serde_json::from_str(data)
        .map_err(|e| Attempt::Fatal(format!("a chunk that is not JSON ({e})")))?;
    if let Some(err) = v.get("error") {
        let message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("error");
        return Err(Attempt::Retry {
            rate_limited: false,
            why: message.to_string(),
            wait: None,
        });
    }
    if let Some(usage) = v.get("usage").filter(|u| !u.is_null()) {
        got.prompt_tokens = usage
            .get("prompt_tokens")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        got.completion_tokens = usage
            .get("completion_tokens")
            .and_then(Value::as_i64)
            .unwrap_or(0);
    }
    let calls = v
        .pointer("/choices/0/delta/tool_calls")
        .and_then(Value::as_array);
    for call in calls.into_iter().flatten() {
        if call.get("index").and_then(Value::as_u64).unwrap_or(0) != 0 {
            continue;
        }
        let function = call.get("function");
        if let Some(name) = function.and_then(|f| f.get("name")).and_then(Value::as_str) {
            if name != tool {
                return Err(Attempt::Fatal(format!(
                    "the model called {name:?} instead of {tool:?}"
                )));
            }
            got.saw_tool = true;
        }
        if let Some(piece) = function
            .and_then(|f| f.get("arguments"))
            .and_then(Value::as_str)
        {
            got.saw_tool = true;
            got.input_json.push_str(piece);
        }
    }
    Ok(false)
}
