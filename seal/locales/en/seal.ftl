decode-empty = empty input
decode-too-large = too large ({ $len } > { $max })
decode-not-sonod = not a Sonod QR code
decode-base32 = invalid Base32 payload
decode-cose = not a valid tagged COSE_Sign1: { $n0 }
decode-non-canonical = not the canonical encoding
decode-unsupported-algorithm = unsupported signature algorithm
decode-unexpected-header = unexpected COSE header parameters
decode-bad-key-id = missing or invalid key id
decode-no-payload = no payload
decode-cbor = payload is not valid CBOR: { $n0 }
decode-unsupported-version = unsupported format version { $n0 }
decode-missing-claim = payload lacks { $n0 }
decode-unknown-claim = unknown claim key { $n0 }
decode-bad-value = { $n0 } has the wrong type or range
decode-unknown-cert-type = unknown certificate type code { $n0 }
decode-unexpected-field = field { $n0 } is not signed in this certificate type
seal-too-large = sealed certificate too large ({ $n0 } bytes)
seal-zero-serial = serial 0 is reserved
signature = signature does not verify
feed-malformed = feed document is malformed: { $n0 }
feed-unsupported-format = unsupported feed format { $n0_dbg }
feed-bad-signature = feed signature does not verify
feed-out-of-order = feed events are not in order from the page start
feed-bitstring = status bitstring is invalid: { $n0 }
identity-not-digits = the number contains a character that is not a digit
identity-nid-length = an NID has 10, 13 or 17 digits, not { $n0 }
identity-brn-length = a birth registration number has 17 digits, not { $n0 }
identity-mobile = not a Bangladeshi mobile number (+8801XXXXXXXXX)
host = invalid verifier host { $n0_dbg } (a DNS name, optionally with :port; http:// only for this machine or a local network address, in development)
record-json = record is not valid JSON of the record shape: { $n0 }
record-too-large = record is larger than { $max_record_json } bytes
record-unknown-type = unknown certificate type { $n0_dbg }
record-office = office code must be 2 to 12 digits, not starting with 0: { $n0_dbg }
record-date = invalid date in { $field }: { $value_dbg } (YYYY-MM-DD)
record-expiry-before-issue = expiry is before the issue date
record-expiry-required = this certificate type needs an expiry date
record-unknown-field = unknown field { $n0_dbg }
record-field-not-for-type = field { $field_dbg } is not part of a { $cert_type } certificate
record-missing-field = required field missing: { $n0 }
record-identity-required = an NID or birth registration number is required
record-invalid = invalid value for { $field }: { $reason }
record-not-an-object = the record must be a JSON object
record-not-text = must be text (a JSON string)
record-fields-not-object = must be an object of field names and values
text-control-character = text contains the control character U+{ $n0_04X }
text-unassigned-byte = unassigned byte 0x{ $n0_02X } in compact text
text-bad-escape = invalid escape in compact text
text-needless-escape = needless escape in compact text
text-not-nfc = text is not in Unicode NFC
reason-empty = empty

## Revocation reasons (by the reason's code)
revocation-issued-in-error = issued in error
revocation-superseded = superseded by a new certificate
revocation-fraud = obtained by fraud
revocation-holder-deceased = holder deceased
revocation-ordered = ordered by an authority
revocation-other = other

## A person's age in a list of heirs
age-years = { $age } years

## Reading a certificate number typed from the paper
number-no-office = the certificate number has no office code and hyphen (like 100524-3)
number-bad-office = the part before the hyphen is not an office code (2 to 12 digits)
number-bad-serial = the part after the hyphen is not a serial number
