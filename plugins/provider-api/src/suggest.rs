//! Did-you-mean: the names closest to a misspelled one (a profile, a page), for hints.

/// The candidates within a small edit distance of `wanted` (or that start with it),
/// closest first.
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = distance(&wanted.to_lowercase(), &c.to_lowercase());
            (d <= limit || (wanted.len() >= 2 && c.starts_with(wanted))).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// `did you mean `a` or `b`?` for the closest names, or `None` when none is close.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let close = closest(wanted, candidates);
    (!close.is_empty()).then(|| {
        let names: Vec<String> = close.iter().map(|c| format!("`{c}`")).collect();
        format!("did you mean {}?", names.join(" or "))
    })
}

/// Levenshtein distance, with a transposition counted as one edit.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        let names = ["acme", "acme-staging", "bakery", "zeta"];
        assert_eq!(closest("acem", names.into_iter()), vec!["acme"]);
        assert_eq!(closest("bakry", names.into_iter()), vec!["bakery"]);
        assert_eq!(
            closest("acme-", names.into_iter()),
            vec!["acme", "acme-staging"]
        );
        assert!(closest("quux", names.into_iter()).is_empty());
    }
}
