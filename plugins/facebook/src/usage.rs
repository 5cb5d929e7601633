//! Rate-limit headers: how long until Graph lets us back in, when it says so.
//!
//! The values are JSON inside HTTP headers. `x-business-use-case-usage` maps business ids to
//! arrays of usage objects whose `estimated_time_to_regain_access` is in minutes;
//! `x-page-usage` may carry the same key; `x-ad-account-usage` has `reset_time_duration`
//! in seconds and is sometimes written with single quotes. `x-app-usage` has no time, only
//! percentages. Parse leniently: a header we cannot read is ignored.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// What the usage headers say.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Usage {
    /// Minutes until access is regained, the largest any header gave.
    pub regain_minutes: Option<u64>,
    /// The highest utilization percentage seen, for the message.
    pub peak_percent: Option<f64>,
}

fn lenient_json(text: &str) -> Option<Value> {
    serde_json::from_str(text)
        .ok()
        .or_else(|| serde_json::from_str(&text.replace('\'', "\"")).ok())
}

fn walk(value: &Value, usage: &mut Usage) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_f64()) {
                    ("estimated_time_to_regain_access", Some(m)) if m > 0.0 => {
                        let m = m.ceil() as u64;
                        usage.regain_minutes = Some(usage.regain_minutes.map_or(m, |x| x.max(m)));
                    }
                    ("reset_time_duration", Some(s)) if s > 0.0 => {
                        let m = (s / 60.0).ceil() as u64;
                        usage.regain_minutes = Some(usage.regain_minutes.map_or(m, |x| x.max(m)));
                    }
                    (
                        "call_count" | "total_time" | "total_cputime" | "acc_id_util_pct",
                        Some(p),
                    ) => {
                        usage.peak_percent = Some(usage.peak_percent.map_or(p, |x| x.max(p)));
                    }
                    _ => walk(v, usage),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, usage)),
        _ => {}
    }
}

/// Reads every usage header.
pub fn parse(headers: &HeaderMap) -> Usage {
    let mut usage = Usage::default();
    for name in [
        "x-business-use-case-usage",
        "x-app-usage",
        "x-page-usage",
        "x-ad-account-usage",
    ] {
        for value in headers.get_all(name) {
            if let Some(json) = value.to_str().ok().and_then(lenient_json) {
                walk(&json, &mut usage);
            }
        }
    }
    usage
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_the_business_use_case_regain_time() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-business-use-case-usage",
            HeaderValue::from_static(
                r#"{"66782684":[{"type":"ads_management","call_count":95,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":0}],"1015":[{"type":"pages","call_count":100,"total_cputime":23,"total_time":23,"estimated_time_to_regain_access":12}]}"#,
            ),
        );
        h.insert(
            "x-app-usage",
            HeaderValue::from_static(r#"{"call_count":28,"total_time":25,"total_cputime":25}"#),
        );
        let u = parse(&h);
        assert_eq!(u.regain_minutes, Some(12));
        assert_eq!(u.peak_percent, Some(100.0));
    }

    #[test]
    fn tolerates_single_quotes_and_garbage() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-ad-account-usage",
            HeaderValue::from_static("{'acc_id_util_pct':9.67,'reset_time_duration':100,'ads_api_access_tier':'standard_access'}"),
        );
        h.insert("x-page-usage", HeaderValue::from_static("not json"));
        assert_eq!(parse(&h).regain_minutes, Some(2));
    }

    #[test]
    fn no_headers_no_time() {
        assert_eq!(parse(&HeaderMap::new()), Usage::default());
    }
}
