# sonod-judge: the verdicts' headlines and reasons, in English (after the Bangla of
# ../bn/sonod-judge.ftl). Placeables are filled in as given (dates as YYYY-MM-DD).
#
# A reason says what the verdict means for the person holding the paper and what to do.
# Technical detail goes to the `detail-*` messages and to the JSON's `reason_code`.

## Headlines, one per verdict kind

headline-malformed = Could not read the certificate code
headline-unsupported-version = Cannot be checked here
headline-untrusted-issuer = Not genuine — not signed by a recognised office
headline-bad-signature = Forged — bad signature
headline-key-compromised = Invalid — the signing key of the office was stolen
headline-not-issued = Forged — never issued
headline-revoked = Revoked — no longer valid
headline-expired = Expired
headline-not-yet-valid = Not yet valid
headline-unconfirmed = Signature genuine — not fully checked
headline-valid = Genuine and valid
headline-look-alike = Warning — the QR code links to an unknown website

## Why a signed certificate is only unconfirmed

unchecked-no-feed = The office's signature holds, but whether the office issued this certificate and has not revoked it was not checked here. Do not accept it on this alone: check again online on the official verification site, or update the scanner's offline data (sonod-scan sync).
unchecked-not-yet-published = The office's signature holds, but the certificate is not yet in the office's published list. If it was issued just now, check again in a minute; if it is still missing then, do not accept it — it may be a forgery made with a stolen key.
unchecked-stale = The office's signature holds, but the office's published list was last read too long ago, so a revocation since then would not be known. Update the scanner's offline data (sonod-scan sync) or check again online.

## Reasons: what the verdict means for the paper, and what to do

reason-unsupported-version = This code is in a form this verifier cannot read, so it cannot say whether the certificate is genuine. Check it again on the official verification site, or ask the office that issued it; until then, do not treat it as checked.
reason-not-sonod = This is not a certificate's QR code, so it checks nothing. Scan the QR code printed on the certificate itself.
reason-damaged = The code could not be read: it is damaged, blurred, or was altered. Try again with a clear photo of the code; if it still fails, do not accept this paper and contact the office that issued it.
reason-unknown-key = This code is not signed by any recognised office. This paper is not a genuine certificate — do not accept it; ask the office it claims to come from.
reason-wrong-office = The code is not signed by the office it names: its content was altered or it is forged. This paper is not a genuine certificate — do not accept it; ask the office it claims to come from.
reason-key-not-valid-then = The office's signing key was not in use on the issue date the code gives: the date was altered or it is forged. Do not accept this paper; ask the office it claims to come from.
reason-bad-signature = The code's content was changed or it is forged: the office's signature does not match. This paper is not a genuine certificate — do not accept it; ask the office it claims to come from.
reason-key-compromised = This office's signing key was stolen, so this copy can no longer be trusted. Do not accept it; the holder should collect a newly signed copy from the office.
reason-not-issued = It carries the office key's signature, but the office never issued this certificate: a forgery made with a stolen key. Do not accept it; tell the office.
reason-revoked = The office revoked this certificate on { $date } ({ $reason }); it is no longer valid. Do not accept it; the holder should contact the office.
reason-expired = This certificate's validity ended on { $date }; it is no longer valid. The holder should get a new certificate from the office.
reason-not-yet-valid = The code gives an issue date, { $date }, that has not come yet. Check this device's date; if it is right, do not accept it and ask the office it claims to come from.
reason-valid = The office's signature holds, the office issued this certificate and has not revoked it. Compare every fact below with the paper.

## Technical detail (shown apart from the reason, for the people who run verifiers)

detail-unknown-key = key { $kid } is not in the national trust list
detail-wrong-office = the code names office code { $claimed }, but key { $kid } is office { $key_office }'s
detail-key-not-valid-then = key { $kid } may sign from { $from } to { $to }; the code's issue date is { $issued }

## A genuine certificate whose office key was stolen later

headline-valid-before-compromise = Genuine — collect a re-sealed copy
reason-valid-before-compromise = The office issued this certificate and has not revoked it: it was published before the office's signing key was stolen, so it is genuine. The stolen key makes this copy hard to trust elsewhere: the holder should collect a re-sealed copy from the office (same number). Compare every fact below with the paper.
