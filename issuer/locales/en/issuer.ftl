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
