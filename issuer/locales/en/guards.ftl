## Guards against misused logins (second factor, token scopes, HTTPS) and the officials' pages

## API token scopes
token-scope-beyond-role = a token cannot be made for "{ $scope }": the account's role ({ $role }) does not allow it
token-scope-unknown = { $n0_dbg } is not a scope (issue, revoke, print, audit, operate, accounts)
app-out-of-scope = this token was not made for "{ $scope }"
token-scopes = Used for
token-scopes-all = everything its role allows (a token from before scopes)

## Second factor
sign-in-wrong-code = wrong or already used code; enter the app's new code
code-title = Second step: code
code-label = The 6-digit code of your authenticator app, or a recovery code
code-submit = Sign in
code-recovery-hint = Lost your phone? Enter a recovery code (each works once), then ask the admin to reset your second factor.
enrol-title = Turn on the second step
enrol-why = To stop forged certificates from stolen or shared logins, every official gives a code from their phone after the password. No other page opens until it is on.
enrol-step-app = Open an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, FreeOTP, Aegis …).
enrol-step-scan = Scan the QR code below, or type in the secret by hand.
enrol-secret = Secret (show it to no one)
enrol-step-code = The 6-digit code the app shows
enrol-submit = Turn on
recovery-title = Recovery codes
recovery-once = These ten codes are shown only now. Write them down or print them and keep them safe: if you lose your phone, each signs you in once.
recovery-continue = I have kept them, continue
recovery-used-notice = A recovery code was used; { $left } are left. If you lost your phone, ask the admin to reset your second factor.
accounts-title = Accounts
accounts-intro = Every official's account, role and second factor. Reset a lost phone's second factor: all their sessions end, and they enrol again at their next sign-in.
col-role = Role
col-second-factor = Second step
account-state-disabled = disabled
second-factor-on = on
second-factor-off = not yet enrolled
recovery-left = recovery codes left
second-factor-reset = Reset second factor
second-factor-reset-notice = { $name }'s second factor was removed and all their sessions ended. They enrol again at their next sign-in.

## HTTPS
https-required = this page is not served over plain HTTP: passwords and sessions would cross the network in clear
https-help = Open the office's address with https://. The service runs behind a reverse proxy (such as Caddy or nginx, with the office's certificate) started with --trust-proxy-https; plain HTTP works only on this computer (localhost).

## Error pages
error-title-bad-request = The request is not right
error-title-unauthorized = Not signed in
error-title-forbidden = Not allowed
error-title-not-found = No such page
error-title-method = This page cannot be asked for this way
error-title-timeout = Timed out
error-title-conflict = It does not match what is stored
error-title-too-large = Too large
error-title-too-many = Too many attempts
error-title-unavailable = Not possible right now
error-title-internal = The service failed
error-title-other = It did not work

## Navigation and the dashboard
nav-label = Officials' pages
nav-home = Home
nav-apply = Apply for a certificate
nav-bulk = Many certificates at once
dashboard-title = Today's work
dashboard-bulk = Issue many certificates at once from a spreadsheet (CSV) or a JSON Lines file.
dashboard-accounts = Officials' accounts, second factors and API tokens.
find-title = Find a certificate to print
certificate-number = Certificate number
find-hint = Type the number printed on the paper, with its hyphen: { $en }
lookup-bad = the certificate number cannot be read; type it as printed (office code-serial)
lookup-other-office = { $typed } is another office's certificate ({ $theirs }); this office's code is { $ours }

## Command line
cli-user-reset-second-factor = Remove an account's second factor (a lost phone; all its sessions end)
token-created-scopes = it may be used for: { $scopes }
cli-plain-http-warning = warning: without --trust-proxy-https the pages are refused over plain HTTP from other computers; put an HTTPS reverse proxy in front on the office network (see issuer/README.md)
back = Back

## Bulk issuing (command line and the upload page)
bulk-records = records
bulk-line-too-long = the line is longer than { $max } bytes
bulk-not-utf8 = the line is not UTF-8 (save the spreadsheet as "CSV UTF-8")
bulk-too-many-lines = more than { $max } lines; the rest is not read
bulk-csv-cells = this row has { $got } cells, the header { $expected }
bulk-csv-unreadable = the row cannot be read as CSV
bulk-upload-intro = Give a CSV file (from a spreadsheet, "CSV UTF-8") or a JSON Lines file: one certificate a row, at most { $max }, up to { $kib } KiB. Each row is issued or refused on its own; a file that cannot be read at all stores nothing.
bulk-upload-columns-title = The CSV's columns
bulk-upload-columns = The first row names the columns: type, office, issued (today when left out), expires, then the certificate's fields (name, father, nid, ward …). A list of names is separated by ; and heirs are name|relation|age each, separated by ;. An empty cell is a field left out.
bulk-upload-file = File
bulk-upload-submit = Issue the certificates
bulk-upload-result = Result
bulk-upload-issued = issued
bulk-upload-refused = refused
bulk-upload-summary = issued { $issued }, refused { $refused }
bulk-upload-empty = the file holds no record
bulk-upload-too-many = the file holds { $got } records, at most { $max } at once; nothing was stored
bulk-upload-no-file = no file was given
bulk-upload-format = say the file's format: Content-Type text/csv or application/jsonl, or ?format=csv|jsonl
bulk-upload-store-failed = the store could not be written; this line and the rest were not issued
