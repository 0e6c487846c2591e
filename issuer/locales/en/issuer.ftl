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
