//! Page tokens: a pasted page token stored under its page, and the page tokens derived
//! from a user or system-user token (`/me/accounts`, plus Business Manager pages when the
//! token has `business_management`), each checked with `debug_token` and stored once.

use fbvault_provider::{
    Context, ErrorKind, ProfileData, ProviderError, Secret, Token, TokenKind, TokenSet,
};

use crate::api::{self, DebugInfo, time};
use crate::client::Client;
use crate::{FacebookProvider, PAGES_SCOPE, Settings, USER, fill};

impl FacebookProvider {
    /// A pasted page token: stored as that page's token (its page from `debug_token`),
    /// next to what the profile already holds.
    pub(crate) fn page_login(
        &self,
        ctx: &Context,
        client: &Client,
        profile: &ProfileData,
        value: Secret,
        info: &DebugInfo,
    ) -> Result<TokenSet, ProviderError> {
        let Some(page) = info.profile_id.clone().or_else(|| info.user_id.clone()) else {
            return Err(ProviderError::new(
                ErrorKind::Unreachable,
                "Facebook's debug_token answer does not say which page the page token is for",
            ));
        };
        if let Some(wanted) = profile.config("page_id").filter(|w| *w != page) {
            return Err(ProviderError::new(
                ErrorKind::BadRequest,
                format!(
                    "that is the page token of page {page}, not of the profile's page {wanted}"
                ),
            ));
        }
        let mut token = Token::new(
            format!("page:{page}"),
            TokenKind::Page,
            value,
            time(info.expires_at),
        );
        fill(&mut token, info, ctx.now);
        token.label = api::name_of(client, &self.settings(profile)?.app, &token.value);
        token.subject = Some(page);
        let mut tokens: Vec<Token> = profile
            .tokens
            .iter()
            .filter(|t| t.name != token.name)
            .cloned()
            .collect();
        let at = usize::from(tokens.first().is_some_and(|t| t.name == USER));
        tokens.insert(at, token);
        Ok(TokenSet {
            tokens,
            notes: vec![
                "a page token: stored as that page's token (it is what `run` injects)".into(),
            ],
        })
    }

    /// Page tokens read with the long-lived user token, each checked with `debug_token`.
    pub(crate) fn page_tokens(
        &self,
        ctx: &Context,
        client: &Client,
        s: &Settings,
        user: &Token,
    ) -> Result<(Vec<Token>, Vec<String>), ProviderError> {
        let (mut entries, mut notes) = api::accounts(client, &s.app, &user.value)?;
        if user.scopes.iter().any(|s| s == api::BUSINESS_SCOPE) {
            match api::business_pages(client, &s.app, &user.value) {
                Ok((more, n)) => {
                    notes.extend(n);
                    for page in more {
                        if !entries.iter().any(|e| e.id == page.id) {
                            entries.push(page);
                        }
                    }
                }
                Err(e) if e.kind == ErrorKind::InvalidGrant => {
                    notes.push(format!("Business Manager pages not read: {}", e.message));
                }
                Err(e) => return Err(e),
            }
        }
        let mut tokens = Vec::with_capacity(entries.len());
        for entry in entries {
            let info = api::debug(client, &s.app, &entry.token)?;
            let mut token = Token::new(
                format!("page:{}", entry.id),
                TokenKind::Page,
                entry.token,
                time(info.expires_at),
            );
            fill(&mut token, &info, ctx.now);
            if !info.is_valid {
                token.invalid = Some(info.invalid_reason());
            }
            token.subject = Some(entry.id);
            token.label = entry.name;
            token.tasks = entry.tasks;
            tokens.push(token);
        }
        Ok((tokens, notes))
    }

    /// The user token plus, when wanted, the page tokens.
    pub(crate) fn with_pages(
        &self,
        ctx: &Context,
        client: &Client,
        s: &Settings,
        profile: &ProfileData,
        user: Token,
    ) -> Result<TokenSet, ProviderError> {
        let page_wanted = profile.config("page_id").map(str::to_string);
        let had_pages = profile.tokens.iter().any(|t| t.kind == TokenKind::Page);
        let can_list = user.scopes.iter().any(|s| s == PAGES_SCOPE);
        let mut notes = Vec::new();
        let mut tokens = Vec::new();
        if can_list || had_pages || page_wanted.is_some() {
            match self.page_tokens(ctx, client, s, &user) {
                Ok((pages, n)) => {
                    tokens = pages;
                    notes = n;
                }
                Err(e)
                    if e.kind == ErrorKind::InvalidGrant && page_wanted.is_none() && !can_list =>
                {
                    notes.push(format!("pages not read: {}", e.message));
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(page) = &page_wanted
            && !tokens.iter().any(|t| t.subject.as_deref() == Some(page))
        {
            return Err(ProviderError::new(
                ErrorKind::BadRequest,
                format!("the user does not manage page {page}{}", listed(&tokens)),
            )
            .hint(
                "check the page id, or that the token was granted pages_show_list for that page",
            ));
        }
        tokens.insert(0, user);
        Ok(TokenSet { tokens, notes })
    }
}

fn listed(pages: &[Token]) -> String {
    if pages.is_empty() {
        " (it manages none that this token can see)".into()
    } else {
        let ids: Vec<String> = pages
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p.subject.as_deref().unwrap_or("?"),
                    p.label.as_deref().unwrap_or("")
                )
                .trim()
                .to_string()
            })
            .collect();
        format!(" (it manages: {})", ids.join(", "))
    }
}
