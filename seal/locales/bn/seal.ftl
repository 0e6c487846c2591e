decode-empty = কিছু পাওয়া যায়নি
decode-too-large = অনেক বড় ({ $len } > { $max })
decode-not-sonod = এটি সনদ-এর কিউআর কোড নয়
decode-base32 = Base32 লেখা ভুল
decode-cose = COSE_Sign1 কাঠামো ভুল
decode-non-canonical = এনকোডিং প্রামাণ্য নয়
decode-unsupported-algorithm = অসমর্থিত স্বাক্ষর পদ্ধতি
decode-unexpected-header = অপ্রত্যাশিত হেডার
decode-bad-key-id = কী আইডি ভুল
decode-no-payload = পেলোড নেই
decode-cbor = পেলোড পড়া যায়নি
decode-unsupported-version = সনদ ফরম্যাটের সংস্করণ { $n0 } অসমর্থিত
decode-missing-claim = পেলোডে { $n0 } নেই
decode-unknown-claim = অজানা দাবি { $n0 }
decode-bad-value = { $n0 } এর ধরন ভুল
decode-unknown-cert-type = অজানা সনদের ধরন { $n0 }
decode-unexpected-field = এই সনদে ঘর { $n0 } স্বাক্ষরিত হয় না
seal-too-large = সনদ অনেক বড়, কিউআর কোডে ধরবে না
seal-zero-serial = ক্রমিক নম্বর ০ হতে পারে না
signature = স্বাক্ষর মেলেনি
feed-malformed = ফিড পড়া যায়নি
feed-unsupported-format = অসমর্থিত ফিড ফরম্যাট
feed-bad-signature = ফিডের স্বাক্ষর মেলেনি
feed-out-of-order = ফিডের ঘটনাক্রম ভুল
feed-bitstring = স্ট্যাটাস তালিকা পড়া যায়নি
identity-not-digits = নম্বরে অঙ্ক ছাড়া অন্য অক্ষর আছে
identity-nid-length = জাতীয় পরিচয়পত্র নম্বর ১০, ১৩ বা ১৭ অঙ্কের হতে হবে
identity-brn-length = জন্ম নিবন্ধন নম্বর ১৭ অঙ্কের হতে হবে
identity-mobile = বাংলাদেশি মোবাইল নম্বর নয়
host = যাচাই-হোস্টের নাম ভুল (একটি ডোমেইন নাম, চাইলে :পোর্টসহ; http:// শুধু এই যন্ত্র বা স্থানীয় নেটওয়ার্কের ঠিকানার জন্য)
record-json = রেকর্ড পড়া যায়নি
record-too-large = রেকর্ড অনেক বড়
record-unknown-type = অজানা সনদের ধরন
record-office = অফিস কোড ২ থেকে ১২ অঙ্কের, প্রথম অঙ্ক শূন্য নয়
record-date = তারিখ ভুল ({ $field })
record-expiry-before-issue = মেয়াদ শেষের তারিখ প্রদানের তারিখের আগে
record-expiry-required = এই সনদে মেয়াদ শেষের তারিখ লাগবে
record-unknown-field = অজানা ঘর { $n0_dbg }
record-field-not-for-type = { $cert_type } সনদে { $field_dbg } ঘর থাকে না
record-missing-field = প্রয়োজনীয় ঘর নেই: { $n0 }
record-identity-required = জাতীয় পরিচয়পত্র বা জন্ম নিবন্ধন নম্বর লাগবে
record-invalid = { $field } ঘরের মান ভুল
record-not-an-object = রেকর্ড একটি JSON অবজেক্ট হতে হবে
record-not-text = মান লেখা (টেক্সট) হতে হবে
record-fields-not-object = fields একটি অবজেক্ট হতে হবে
text-control-character = লেখায় নিয়ন্ত্রণ-অক্ষর U+{ $n0_04X } আছে
text-unassigned-byte = সংক্ষিপ্ত লেখায় অচেনা বাইট 0x{ $n0_02X }
text-bad-escape = সংক্ষিপ্ত লেখায় ভুল এস্কেপ
text-needless-escape = সংক্ষিপ্ত লেখায় অপ্রয়োজনীয় এস্কেপ
text-not-nfc = লেখা NFC রূপে নেই
reason-empty = খালি

## Revocation reasons (by the reason's code)
revocation-issued-in-error = ভুলবশত প্রদান
revocation-superseded = নতুন সনদ দ্বারা প্রতিস্থাপিত
revocation-fraud = প্রতারণার মাধ্যমে গৃহীত
revocation-holder-deceased = সনদধারী মৃত
revocation-ordered = কর্তৃপক্ষের আদেশে
revocation-other = অন্যান্য

## A person's age in a list of heirs
age-years = { $age } বছর

## Reading a certificate number typed from the paper
number-no-office = সনদ নম্বরে অফিস কোড ও হাইফেন নেই (যেমন ১০০৫২৪-৩)
number-bad-office = হাইফেনের আগের অংশটি অফিস কোড নয় (২ থেকে ১২ অঙ্ক)
number-bad-serial = হাইফেনের পরের অংশটি ক্রমিক নম্বর নয়
