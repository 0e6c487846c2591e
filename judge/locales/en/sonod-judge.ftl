# sonod-judge: the verdicts' headlines and reasons, in English (after the Bangla of
# ../bn/sonod-judge.ftl). Placeables are filled in as given (dates as YYYY-MM-DD).

## Headlines, one per verdict kind

headline-malformed = Unreadable
headline-unsupported-version = Unsupported version
headline-untrusted-issuer = Untrusted issuer
headline-bad-signature = Forged — bad signature
headline-key-compromised = Key compromised — invalid
headline-not-issued = Forged — never issued
headline-revoked = Revoked
headline-expired = Expired
headline-not-yet-valid = Not yet valid
headline-unconfirmed = Signature genuine — not fully checked
headline-valid = Genuine and valid
headline-look-alike = Warning — the QR code links to an unknown website

## Why a signed certificate is only unconfirmed

unchecked-no-feed = the signature holds, but whether the office issued this certificate and has not revoked it was not checked: verify online or sync the offline data
unchecked-not-yet-published = the signature holds, but the certificate is not yet in the office's published list: if it was issued just now, check again in a minute; otherwise it may be a forgery made with a stolen key
unchecked-stale = the signature holds, but the office's published list was last read too long ago: revocations since then are unknown — sync the offline data or check again later

## Reasons

reason-unsupported-version = this format version is not supported; update the verifier ({ $error })
reason-not-sonod = this is not a Sonod QR code
reason-damaged = the certificate could not be read: the code is damaged or altered ({ $error })
reason-unknown-key = the signing key ({ $kid }) is not in the trust list
reason-wrong-office = the key belongs to office { $key_office } but the certificate claims office { $claimed }
reason-key-not-valid-then = the key was not valid for signing on the certificate's issue date
reason-bad-signature = the signature does not match: the content was altered or forged
reason-key-compromised = the office's signing key was compromised; every certificate it signed is invalid — ask the office for a re-sealed copy
reason-not-issued = the signature holds but the office never issued this certificate (a forgery made with a stolen key)
reason-revoked = the office revoked this certificate on { $date }: { $reason }
reason-expired = expired on { $date }
reason-not-yet-valid = its issue date { $date } is in the future
reason-valid = the signature holds, the office issued it and has not revoked it; compare the facts below with the paper
