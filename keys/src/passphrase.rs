//! The passphrase that unlocks an encrypted secret key file.

use std::fmt;
use std::io::IsTerminal;

use zeroize::Zeroizing;

use crate::key_file::KeyFileError;

/// The environment variable read before prompting, so that services and scripts can unlock keys
/// without a terminal.
pub const PASSPHRASE_ENV: &str = "SONOD_KEY_PASSPHRASE";

/// A passphrase, wiped from memory when dropped. Its `Debug` never shows the content.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps `passphrase`; the `String` is moved, not copied, so no other copy is left behind.
    pub fn new(passphrase: String) -> Passphrase {
        Passphrase(Zeroizing::new(passphrase))
    }

    /// The passphrase itself, for handing to the key derivation.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The passphrase for unlocking an existing key: `SONOD_KEY_PASSPHRASE` if it is set and not
    /// empty, else asked for on the terminal with `prompt`, else
    /// [`KeyFileError::PassphraseRequired`].
    pub fn from_env_or_prompt(prompt: &str) -> Result<Passphrase, KeyFileError> {
        obtain(env_passphrase(), std::io::stdin().is_terminal(), || {
            let first = prompt_once(prompt)?;
            non_empty(first)
        })
    }

    /// The passphrase for a new key: `SONOD_KEY_PASSPHRASE` if set and not empty, else asked for
    /// twice on the terminal (a typo would lock the key away for good), else
    /// [`KeyFileError::PassphraseRequired`].
    pub fn from_env_or_prompt_twice(prompt: &str) -> Result<Passphrase, KeyFileError> {
        obtain(env_passphrase(), std::io::stdin().is_terminal(), || {
            let first = non_empty(prompt_once(prompt)?)?;
            let second = prompt_once(&format!(
                "{}: ",
                crate::l10n::both("passphrase-repeat", &[])
            ))?;
            confirm(first, second)
        })
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

fn env_passphrase() -> Option<Passphrase> {
    std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(Passphrase::new)
}

fn prompt_once(prompt: &str) -> Result<Passphrase, KeyFileError> {
    rpassword::prompt_password(prompt)
        .map(Passphrase::new)
        .map_err(|e| KeyFileError::Prompt(e.to_string()))
}

/// The decision between the sources, apart from the process environment so that it can be tested.
fn obtain(
    from_env: Option<Passphrase>,
    stdin_is_terminal: bool,
    ask: impl FnOnce() -> Result<Passphrase, KeyFileError>,
) -> Result<Passphrase, KeyFileError> {
    match from_env {
        Some(p) => Ok(p),
        None if stdin_is_terminal => ask(),
        None => Err(KeyFileError::PassphraseRequired),
    }
}

fn non_empty(p: Passphrase) -> Result<Passphrase, KeyFileError> {
    if p.expose().is_empty() {
        Err(KeyFileError::EmptyPassphrase)
    } else {
        Ok(p)
    }
}

fn confirm(first: Passphrase, second: Passphrase) -> Result<Passphrase, KeyFileError> {
    if first.expose() == second.expose() {
        Ok(first)
    } else {
        Err(KeyFileError::PassphraseMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Passphrase {
        Passphrase::new(s.to_owned())
    }

    #[test]
    fn debug_hides_the_content() {
        assert_eq!(format!("{:?}", p("hunter2")), "Passphrase(..)");
    }

    #[test]
    fn environment_wins_over_the_terminal() {
        let got = obtain(Some(p("from-env")), true, || panic!("must not prompt")).unwrap();
        assert_eq!(got.expose(), "from-env");
    }

    #[test]
    fn no_environment_and_no_terminal_is_passphrase_required() {
        let err = obtain(None, false, || panic!("must not prompt")).unwrap_err();
        assert_eq!(err, KeyFileError::PassphraseRequired);
        assert!(err.to_string().contains(PASSPHRASE_ENV));
    }

    #[test]
    fn terminal_is_asked_when_there_is_no_environment() {
        let got = obtain(None, true, || Ok(p("typed"))).unwrap();
        assert_eq!(got.expose(), "typed");
    }

    #[test]
    fn confirmation_must_match_and_not_be_empty() {
        assert_eq!(confirm(p("a"), p("a")).unwrap().expose(), "a");
        assert_eq!(
            confirm(p("a"), p("b")).unwrap_err(),
            KeyFileError::PassphraseMismatch
        );
        assert_eq!(non_empty(p("")).unwrap_err(), KeyFileError::EmptyPassphrase);
    }
}
