# The issuer's words in English (under the Bangla). The same ids in ../bn/issuer.ftl.
# The certificate's formal wording is not here: see ../../wording/.


## The printed certificate (templates/print.html)
cert-no = Certificate no.
revoked-band = THIS CERTIFICATE HAS BEEN REVOKED
revoked-mark = REVOKED
specimen = SPECIMEN — development key
specimen-note = not a valid certificate
government = Government of the People's Republic of Bangladesh
date = Date
christian-era = CE
bangla-era = BS
prepared-by = Prepared by
name-and-designation = name and designation
scan-to-verify = Scan the QR code to verify
# The print page's link to the same certificate as a PDF, and why a PDF could not be made.
pdf-link = Download PDF
pdf-font = the certificate PDF could not be made: the built-in font { $font } did not load
pdf-write = the certificate PDF could not be made: { $message }
key-id = key id
signatory = Mayor / Chairman
qr-marked = Facts marked QR are signed into the QR code: compare them with the verification result.

## The list of heirs or family members (templates/persons.html)
list-no = No.
list-name = Name
list-relation = Relation
list-age = Age

## Log in and the home page (templates/login.html, home.html)
log-in = Log in
account = Account
password = Password
sonod = Sonod
issuer = Sonod issuer
certificate-serial = Certificate serial
print = Print
api-tokens = API tokens
log-out = Log out

## Facts and values in Rust (paper/print.rs, paper/wording.rs)
fact-issued = Date of issue
fact-expires = Valid until
date-cell = { $date }
see-list = see the list above ({ $n } persons)
person-age = { $age } years

## Web errors (server/web.rs)
no-certificate = no certificate with serial { $serial }

## API tokens (templates/tokens.html, layout.html, server/tokens.rs)
tokens-intro = Each token acts as one account and stops at its expiry or when revoked. New tokens:
no-tokens = no tokens
col-name = Name
col-account = Account
col-created = Created
col-expires = Expires
col-last-used = Last used
col-state = State
col-action = Action
revoke = Revoke
dhaka-times = times in Dhaka (UTC+6)
development-band = development keys — not for real certificates
never = never
token-revoked-notice = token “{ $label }” ({ $id }) revoked

## The command line (src/cli/): each message is written "Bangla / English"
issued-not-printed = issued as serial { $serial }, but its QR text could not be printed
line = line
bulk-done = issued { $issued }, refused { $refused } · index: { $index }
key-passphrase = key passphrase
host-and-bare = give either --verifier-host or --bare, not both
host-missing = give the verifier host for the QR URL: --verifier-host HOST (or SONOD_VERIFIER_HOST), or --bare
store-corrupt = the store { $path } is corrupt and was not opened: restore the last backup (sonod-issuer restore)
disk-full = there is no space left on its disk: free some and start again
not-writable = it is not writable (a read-only file system or no permission)
store-unopened = cannot open the store { $path }
store-locked = cannot open the store { $path } (if the service is running, stop it or use its API)
index-exists = { $path } holds the index of an earlier run; give another --out or move it away
cannot-open-file = cannot open { $path }
expiry-days = expected a number of days such as 90d, not { $given }
expiry-form = expected days (90d) or a date (2026-12-31), not { $given }
token-created = token { $id } ({ $label }) for { $user }, works until { $exp } (Dhaka time)
token-keep = keep this token now: it is not shown again
token-revoked = token { $id } ({ $label }, account { $user }) revoked
token-was-revoked = token { $id } ({ $label }, account { $user }) was already revoked
account-created = account { $name } created ({ $role_bn }, { $role })
password-changed = password changed for { $name }
account-disabled = account { $name } disabled
reseal-same-key = the new key is the compromised key
resealed = re-sealed { $n } certificates with key { $key } (same serials; recorded in the feed)
exists-already = { $path } exists already
backup = backup
restored = restored

## Error messages (the Display of the error types)
serve-key = cannot read the office key: { $n0 }
serve-other-office = the key { $key_id } belongs to office { $key_office }, this service to office { $office }
app-unauthorized = authentication required
app-forbidden = your role does not allow this
app-csrf = the form does not belong to this session; reload the page and try again
app-too-large = request body too large
uploads-busy = many applications are being sent at this moment; send yours again in a few seconds
issue-io = cannot write { $path }: { $source }
office-key-root = cannot read the root public key: { $n0 }
office-key-trust-list = the trust list is not usable: { $n0 }
office-key-not-listed = the office key { $n0 } is not in the trust list
signing-refused-key-compromised = the office key { $n0 } is marked compromised in the trust list; it issues nothing
signing-refused-other-office = the key { $key_id } belongs to office { $key_office }, the record to office { $record_office }
qr-image-too-long = text does not fit a QR code: { $n0 }
qr-image-png = PNG encoding failed: { $n0 }
wording-missing = no wording: { $file }
wording-read = cannot read the wording { $file }: { $message }
wording-syntax = bad wording template { $file }: { $message }
wording-unknown-field = unknown field `{ $field }` in { $file } (not a field of { $cert_type })
wording-render = cannot render the wording { $file }: { $message }
ledger-not-found = no certificate with serial { $n0 }
ledger-idempotency-mismatch = the Idempotency-Key was already used for a different request
backup-io = backup I/O error: { $n0 }
backup-invalid = not a valid Sonod backup: { $n0 }
backup-not-empty = { $n0 } is not empty: restore writes only into a new directory
store-sled = store error: { $n0 }
store-io = store I/O error on { $path }: { $source }
store-wrong-office = this store belongs to office { $store }, the record to office { $record }
store-corrupt-data = stored data is corrupt: { $n0 }
store-serials-exhausted = serial numbers exhausted
commit-failed = the store could not make writes durable
account-unknown-role = unknown role { $n0_dbg }
account-bad-name = account names are 3–32 of a–z 0–9 . _ -
account-exists = account { $n0_dbg } already exists
account-no-such-user = no account { $n0_dbg }
account-weak-password = password must have at least { $min_password_chars } characters
account-hash = password hashing failed
account-no-such-token = no token with id { $n0_dbg }
account-bad-expiry = a token must expire after now and within { $max_token_days } days
token-refusal-unknown = unknown API token
token-refusal-expired = the API token has expired; ask an admin for a new one
token-refusal-revoked = the API token was revoked
token-refusal-disabled = the token's account is disabled
sign-in-wrong = wrong account or password
sign-in-throttled = too many attempts, try again in { $retry_after } s
sign-in-busy = the service is busy, try again in { $retry_after } s
sign-in-internal = internal error
signing-refused-not-today = the issue date must be today in Dhaka, { $today }, not { $issued }
signing-refused-expiry-not-after-issue = the expiry date { $expires } must be after the issue date { $issued }
signing-refused-key-not-yet-valid = the office key { $key_id } may sign from { $not_before }, not on { $issued }
signing-refused-key-retired = the office key { $key_id } is retired, its last signing day was { $retired_on }; load the office's new key
signing-refused-key-expired = the office key { $key_id } may sign only until { $not_after }; load the office's new key
api-invalid-json = invalid JSON: { $error }
api-other-office = this service issues for office { $office }, not { $record_office }
api-no-certificate = no certificate with serial { $serial }
internal-error = internal error
cli-issued = issued
cli-serial = serial
cli-issue = Seal one record (JSON) and write its QR text, PNG and SVG
cli-issue-long = The record is dated today in Dhaka (a missing "issued" is today; any other date is refused), must expire after that, and the trust list must let the key sign today.
cli-bulk = Seal every record of a JSON Lines or CSV file, with a progress bar
cli-serve = Run the office's service (web pages and API)
cli-user = Officials' accounts (the service must be stopped)
cli-reseal = Re-seal every unrevoked certificate of a compromised key
cli-backup = A consistent backup: from a running service (--url) or a stopped store (--data)
cli-restore = Restore a backup into a new data directory
cli-stats = Counts of a stopped store
cli-wording = The office's own certificate wording: files here (`<type>.bn.txt`, `<type>.en.txt`, `common.bn.txt`, …) replace the built-in ones of the same name; checked against every type's fields at start (see issuer/wording/README.md)
cli-user-add = Create an account
cli-token = API tokens: create (also `user token --name …`), list, revoke
cli-user-passwd = Set a password (read from standard input)
cli-user-disable = Disable an account: its tokens and sessions stop working
cli-user-list = List accounts
cli-token-create = Create a token (printed once on standard output, stored hashed)
cli-token-list = List tokens: id, account, label, created, expires, last used, state
cli-token-revoke = Revoke one token by its id (from `list`); it stops working at once

cli-about = Sonod issuer: seal certificates with the office key
cli-error = error
cli-dev-office-name = Office { $code }
cli-dev-account = development account: `dev` (password development-only), API token in { $token_file }

## Roles and API token states (by their snake_case names)
role-admin = administrator
role-chairman = mayor / chairman
role-councillor = councillor / member
role-operator = operator
token-state-active = active
token-state-expired = expired
token-state-revoked = revoked
# SMS to citizens (sent in Bangla; the English is for the development page and the docs)
sms-issued = Your { $type } has been issued. Certificate no. { $number }. Verify: { $link }
sms-issued-no-link = Your { $type } has been issued. Certificate no. { $number }.
sms-revoked = Your { $type } (certificate no. { $number }) has been revoked. Reason: { $reason }.
sms-gateway-read = cannot read the SMS gateway file { $path }
sms-gateway-invalid = the SMS gateway file { $path } is not valid: { $error }
sms-gateway-no-key = the SMS gateway's API key variable { $var } is not set
sms-kind-issued = issued
sms-kind-revoked = revoked
dev-sms-title = Development SMS
dev-sms-intro = This service runs for development: no SMS went to any phone; what the citizen would have received is shown here (newest first).
dev-sms-none = No SMS yet.
dev-sms-parts = { $parts } part(s), { $units } UTF-16 units
dev-sms-off = this page exists only on a development service

## Office settings
settings-bad-text = field { $field }: text needed, at most 200 characters
settings-bad-wards = wards: at least one, each 1 or more, none twice
settings-too-many-signatories = at most 20 signatories
settings-unknown-type = unknown certificate type: { $type }
settings-bad-type = { $type }: 1 or 2 approvals, a fee of at most 100,000 Taka
settings-bad-limits = limits: idle time 1 minute to 24 hours, 1 to 10,000 approvals an hour, office hours starting before they end
