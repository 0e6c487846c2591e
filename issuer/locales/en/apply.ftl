# Applications: the citizen's form, the digital centre, corrections, status (src/server/apply.rs,
# templates/apply_*.html). The same ids in ../bn/apply.ftl.

## The list of types
apply-list-title = Apply for a certificate
apply-list-intro = Choose the certificate you need. Fill in the form, attach the papers it needs; you will get a tracking number.
apply-none-offered = This office takes no applications online at the moment.
apply-free = no fee
apply-fee = { $taka } Taka
apply-fee-label = Fee
apply-back-to-list = All certificates
apply-another = Another application

## The form
apply-form-title = Application
apply-form-intro = Fields marked with a star (*) are required. Numbers may be typed in Bangla or English digits.
apply-section-identity = Identity
apply-section-applicant = Applicant
apply-section-details = The certificate's facts
apply-section-address = Address
apply-section-contact = Contact
apply-section-documents = Supporting documents
apply-section-centre = Digital centre
apply-label-name = Name (in Bangla)
apply-label-name_en = Name (in English)
apply-label-post_office = Post office
apply-label-upazila = Upazila/thana
apply-label-district = District
apply-label-mobile = Mobile number
apply-label-centre = Digital centre's name
apply-label-form = Application
apply-label-documents = Photos or PDFs of the papers
apply-hint-digits = Digits only, Bangla or English
apply-hint-date = Day-month-year, e.g. 05-03-1990
apply-hint-mobile = E.g. 01711223344; the SMS go to this number
apply-hint-latin = In English letters, e.g. Rahim Uddin
apply-hint-fiscal-year = E.g. 2026-27
apply-hint-rows = Empty rows are left out
apply-hint-identity = NID number (10, 13 or 17 digits) or birth registration number (17 digits) — give at least one.
apply-hint-documents = At most { $max } files, each up to { $mb } MB: JPEG, PNG or PDF.
apply-hint-centre = Remembered on this computer for next time.
apply-more-rows = More rows
apply-row = Row
apply-submit = Submit the application
apply-resubmit = Submit the correction
apply-errors = Some fields need correcting
apply-documents-again = Choose the files again (for safety a browser does not send them twice).
apply-documents-kept = Papers given before
apply-address-composed = Post office: { $post_office }, Upazila: { $upazila }, District: { $district }

## Errors next to fields
apply-err-required = Please fill in this field
apply-err-too-long = The text is too long (at most 200 characters)
apply-err-control = The text has a character that cannot be used
apply-err-nid = An NID number has 10, 13 or 17 digits
apply-err-brn = A birth registration number has 17 digits
apply-err-identity = Give an NID number or a birth registration number
apply-err-mobile = Give a valid mobile number: 11 digits starting with 01
apply-err-date = The date could not be read: write day-month-year, e.g. 05-03-1990
apply-err-future = The date cannot be in the future
apply-err-number = Write a whole number in digits
apply-err-ward = Choose your ward from the list
apply-err-fiscal-year = Write the fiscal year like 2026-27
apply-err-fiscal-year-past = This fiscal year has ended: write the current or the next one
apply-err-latin = Write it in English letters
apply-err-age = Write the age in digits, 0 to 150
apply-err-rows = Fill in at least one row
apply-err-address = The address is too long: keep post office, upazila and district within 200 characters
apply-err-centre = Write the digital centre's name (at most { $max } characters)
apply-err-document-size = The file { $name } is larger than { $mb } MB
apply-err-document-count = At most { $max } files can be attached
apply-err-document-type = The file { $name } is not a JPEG, PNG or PDF
apply-err-document-base64 = The file's content_base64 could not be read
apply-invalid = Some fields of the application are not valid
apply-form-unreadable = The form could not be read; please try again
apply-api-json = The JSON could not be read: { $error }

## Answers
apply-done-title = Application submitted
apply-resubmitted-title = Corrected application submitted
apply-your-tracking = Your tracking number
apply-keep-tracking = Write the number down: with it and your mobile number you can see where the application stands.
apply-entered-at = Entered at
apply-next-title = What happens next
apply-next-sms = An SMS confirming the application goes to your mobile.
apply-next-review = The ward councillor (in a union, the member) and the mayor or chairman check the application.
apply-next-fee = Pay the fee at the office's counter
apply-next-result = When the certificate is issued, or a correction is needed, you are told by SMS.
apply-not-offered-title = This certificate is not taken online
apply-not-offered = This office does not take applications for the { $type_en } online at the moment. Please contact the office.
apply-not-offered-api = Applications for this certificate are not taken
apply-unknown-type-title = No such certificate
apply-unknown-type = There is no certificate of this name. Choose one from the list.
apply-duplicate-title = The same application is already in
apply-duplicate = An application of this person for this certificate is still open: tracking number { $tracking }. The new one was not kept; see where that one stands.
apply-bad-tracking-title = Tracking number not valid
apply-bad-tracking = The tracking number could not be read. It looks like A-42.
apply-not-editable-title = This application cannot be corrected now
apply-not-editable = Only an application sent back for correction can be corrected. This one is: { $status_en }.
apply-no-document = no such document

## Correcting, status
apply-edit-intro = Application sent back for correction:
apply-edit-note = The official's note
apply-unlock-title = Correct an application
apply-unlock-intro = Type the mobile number you gave in the application.
apply-unlock = Open
apply-correct = Correct it
apply-tracking = Tracking number
apply-status-title = Application status
apply-status-link = Check an application's status
apply-status-intro = Type the tracking number and the mobile number given in the application.
apply-status-check = Check
apply-history = History
apply-lookup-refused = No application was found with this tracking number and mobile number. Please check both.
apply-lookup-wait = Too many tries: please try again in { $seconds } seconds.
apply-status-submitted = Submitted, being checked
apply-status-awaiting_second = Approved once, awaiting the second approval
apply-status-sent_back = Sent back for correction
apply-status-approved = Approved, certificate issued
apply-status-rejected = Rejected
apply-action-submit = Submitted
apply-action-resubmit = Corrected and resubmitted
apply-action-pay = Fee paid
apply-action-approve_first = First approval
apply-action-approve = Approved and issued
apply-action-hold = Held for a second official's approval
apply-action-send_back = Sent back for correction
apply-action-reject = Rejected

## SMS
sms-received = Your application for { $type } is received. Tracking no. { $tracking }.
sms-kind-received = application received
