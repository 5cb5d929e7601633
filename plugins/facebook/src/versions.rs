//! The Graph API versions fbvault knows, with the dates Meta publishes for them: when each
//! was released, until when the Graph API serves it, and until when the (stricter)
//! Marketing API does. New profiles use the newest; `status` warns about a profile whose
//! version the Marketing API ends within [`WARN_DAYS`] days.
//!
//! Source: Meta's Graph API changelog and Marketing API version history (Oct–Nov 2026).
//! Dates move; to update, edit [`VERSIONS`] (newest first) and nothing else. `None` means
//! Meta has not announced an end date yet.

use chrono::NaiveDate;

/// One Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphVersion {
    /// `v27.0`.
    pub name: &'static str,
    /// Release date.
    pub released: &'static str,
    /// Last day the Graph API serves it (later calls get the oldest live version).
    pub graph_until: Option<&'static str>,
    /// Last day the Marketing API serves it (later calls fail with #2635 or are upgraded).
    pub marketing_until: Option<&'static str>,
}

/// Days before a Marketing API end date that `status` starts warning.
pub const WARN_DAYS: i64 = 30;

/// Newest first.
pub const VERSIONS: &[GraphVersion] = &[
    v("v27.0", "2026-11-04", None, None),
    v("v26.0", "2026-07-29", None, None),
    v(
        "v25.0",
        "2026-02-18",
        Some("2028-07-29"),
        Some("2027-02-23"),
    ),
    v(
        "v24.0",
        "2025-10-08",
        Some("2028-02-18"),
        Some("2026-11-10"),
    ),
    v(
        "v23.0",
        "2025-05-29",
        Some("2027-10-08"),
        Some("2026-06-09"),
    ),
    v(
        "v22.0",
        "2025-01-21",
        Some("2027-05-20"),
        Some("2026-02-19"),
    ),
    // Meta's Marketing API table no longer lists these: they ended before v22.0 did.
    v("v21.0", "2024-10-02", Some("2027-01-21"), None),
    v("v20.0", "2024-05-21", Some("2026-09-24"), None),
    v("v19.0", "2024-01-23", Some("2026-05-21"), None),
];

const fn v(
    name: &'static str,
    released: &'static str,
    graph_until: Option<&'static str>,
    marketing_until: Option<&'static str>,
) -> GraphVersion {
    GraphVersion {
        name,
        released,
        graph_until,
        marketing_until,
    }
}

/// The newest version in the table: the default for new profiles.
pub fn newest() -> &'static str {
    VERSIONS[0].name
}

/// The table's entry for `name`, if fbvault knows it.
pub fn lookup(name: &str) -> Option<&'static GraphVersion> {
    VERSIONS.iter().find(|v| v.name == name)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("the version table holds valid dates")
}

impl GraphVersion {
    /// The Marketing API end date, when announced; for a version older than one whose end
    /// is announced, that newer version's end (an upper bound: it ended by then).
    pub fn marketing_end(&self) -> Option<NaiveDate> {
        if let Some(d) = self.marketing_until {
            return Some(date(d));
        }
        let at = VERSIONS.iter().position(|v| v.name == self.name)?;
        VERSIONS[..at]
            .iter()
            .rev()
            .find_map(|v| v.marketing_until.map(date))
    }

    /// The Graph API end date, when announced.
    pub fn graph_end(&self) -> Option<NaiveDate> {
        self.graph_until.map(date)
    }

    /// The release date.
    pub fn release(&self) -> NaiveDate {
        date(self.released)
    }
}

/// What `status` should say about a version on `today`, if anything.
pub fn warning(name: &str, today: NaiveDate) -> Option<String> {
    let entry = lookup(name)?;
    let newest = newest();
    if let Some(end) = entry.graph_end().filter(|e| *e < today) {
        return Some(format!(
            "Graph API {name} ended on {end}: Facebook answers with its oldest live version instead; move to {newest}"
        ));
    }
    if let Some(end) = entry.graph_end()
        && (end - today).num_days() <= WARN_DAYS
    {
        return Some(format!(
            "Graph API {name} ends on {end} (in {} days); move to {newest}",
            (end - today).num_days()
        ));
    }
    let end = entry.marketing_end()?;
    let left = (end - today).num_days();
    if left < 0 {
        Some(format!(
            "the Marketing API ended {name} on {end} (ads and Conversions API calls fail with #2635); move to {newest}"
        ))
    } else if left <= WARN_DAYS {
        Some(format!(
            "the Marketing API ends {name} on {end} (in {left} days); move to {newest}"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        date(s)
    }

    #[test]
    fn the_table_is_newest_first_with_valid_dates() {
        assert_eq!(newest(), "v27.0");
        assert_eq!(newest(), crate::DEFAULT_GRAPH_VERSION);
        for pair in VERSIONS.windows(2) {
            assert!(pair[0].release() > pair[1].release(), "{pair:?}");
        }
        for v in VERSIONS {
            let _ = (v.graph_end(), v.marketing_end());
            assert!(crate::valid_version(v.name));
        }
    }

    #[test]
    fn warns_inside_30_days_and_after_the_marketing_end() {
        let today = day("2026-12-02");
        assert!(warning("v27.0", today).is_none());
        assert!(warning("v26.0", today).is_none());
        assert!(warning("v25.0", today).is_none(), "83 days left");
        assert!(
            warning("v25.0", day("2027-01-30"))
                .unwrap()
                .contains("in 24 days")
        );
        assert!(
            warning("v24.0", today)
                .unwrap()
                .contains("ended v24.0 on 2026-11-10")
        );
        assert!(warning("v20.0", today).unwrap().contains("oldest live"));
        assert!(
            warning("v21.0", day("2027-01-01"))
                .unwrap()
                .contains("ends on 2027-01-21")
        );
        assert!(
            warning("v21.0", today)
                .unwrap()
                .contains("Marketing API ended")
        );
        assert_eq!(
            lookup("v21.0").unwrap().marketing_end(),
            Some(day("2026-02-19"))
        );
        assert!(warning("v99.0", today).is_none(), "unknown: no claim");
    }
}
