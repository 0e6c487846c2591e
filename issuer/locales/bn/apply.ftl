# আবেদন: নাগরিকের ফর্ম, ডিজিটাল সেন্টার, সংশোধন, অবস্থা (src/server/apply.rs, templates/apply_*.html).
# The same ids in ../en/apply.ftl.

## The list of types
apply-list-title = সনদের জন্য আবেদন
apply-list-intro = যে সনদ চান সেটি বেছে নিন। ফর্মটি পূরণ করুন, প্রয়োজনীয় কাগজ যুক্ত করুন; একটি ট্র্যাকিং নম্বর পাবেন।
apply-none-offered = এই অফিস এখন অনলাইনে কোনো আবেদন নিচ্ছে না।
apply-free = ফি নেই
apply-fee = { $taka } টাকা
apply-fee-label = ফি
apply-back-to-list = সব সনদের তালিকা
apply-another = আরেকটি আবেদন

## The form
apply-form-title = আবেদন
apply-form-intro = তারকা (*) চিহ্নিত ঘরগুলো পূরণ করা আবশ্যক। সংখ্যা বাংলা বা ইংরেজি অঙ্কে লিখতে পারেন।
apply-section-identity = পরিচয়
apply-section-applicant = আবেদনকারী
apply-section-details = সনদের তথ্য
apply-section-address = ঠিকানা
apply-section-contact = যোগাযোগ
apply-section-documents = সংযুক্ত কাগজপত্র
apply-section-centre = ডিজিটাল সেন্টার
apply-label-name = নাম (বাংলায়)
apply-label-name_en = নাম (ইংরেজিতে)
apply-label-post_office = ডাকঘর
apply-label-upazila = উপজেলা/থানা
apply-label-district = জেলা
apply-label-mobile = মোবাইল নম্বর
apply-label-centre = ডিজিটাল সেন্টারের নাম
apply-label-form = আবেদন
apply-label-documents = কাগজের ছবি বা পিডিএফ
apply-hint-digits = শুধু অঙ্ক, বাংলা বা ইংরেজি
apply-hint-date = দিন-মাস-বছর, যেমন ০৫-০৩-১৯৯০
apply-hint-mobile = যেমন ০১৭১১২২৩৩৪৪; এই নম্বরে এসএমএস যাবে
apply-hint-latin = ইংরেজি অক্ষরে, যেমন Rahim Uddin
apply-hint-fiscal-year = যেমন ২০২৬-২৭
apply-hint-rows = খালি সারি বাদ যাবে
apply-hint-identity = জাতীয় পরিচয়পত্র নম্বর (১০, ১৩ বা ১৭ অঙ্ক) অথবা জন্ম নিবন্ধন নম্বর (১৭ অঙ্ক) — অন্তত একটি দিন।
apply-hint-documents = সর্বোচ্চ { $max }টি ফাইল, প্রতিটি { $mb } মেগাবাইট পর্যন্ত: JPEG, PNG বা PDF।
apply-hint-centre = এই কম্পিউটারে পরের বারের জন্য মনে রাখা হবে।
apply-more-rows = আরও সারি
apply-row = সারি
apply-submit = আবেদন জমা দিন
apply-resubmit = সংশোধন করে আবার জমা দিন
apply-errors = কিছু ঘর ঠিক করতে হবে
apply-documents-again = ফাইলগুলো আবার বেছে নিন (নিরাপত্তার জন্য ব্রাউজার সেগুলো আবার পাঠায় না)।
apply-documents-kept = আগে দেওয়া কাগজ
apply-address-composed = ডাকঘর: { $post_office }, উপজেলা: { $upazila }, জেলা: { $district }

## Errors next to fields
apply-err-required = এই ঘরটি পূরণ করুন
apply-err-too-long = লেখাটি বেশি লম্বা (সর্বোচ্চ ২০০ অক্ষর)
apply-err-control = লেখায় অচল অক্ষর আছে
apply-err-nid = জাতীয় পরিচয়পত্র নম্বর ১০, ১৩ বা ১৭ অঙ্কের হয়
apply-err-brn = জন্ম নিবন্ধন নম্বর ১৭ অঙ্কের হয়
apply-err-identity = জাতীয় পরিচয়পত্র নম্বর বা জন্ম নিবন্ধন নম্বর দিন
apply-err-mobile = সঠিক মোবাইল নম্বর দিন: ০১ দিয়ে শুরু, ১১ অঙ্ক
apply-err-date = তারিখটি পড়া গেল না: দিন-মাস-বছর লিখুন, যেমন ০৫-০৩-১৯৯০
apply-err-future = তারিখটি ভবিষ্যতের হতে পারে না
apply-err-number = শুধু অঙ্কে একটি পূর্ণ সংখ্যা লিখুন
apply-err-ward = তালিকা থেকে আপনার ওয়ার্ড বেছে নিন
apply-err-fiscal-year = অর্থবছর লিখুন যেমন ২০২৬-২৭
apply-err-fiscal-year-past = এই অর্থবছর শেষ হয়ে গেছে: চলতি বা আগামী অর্থবছর লিখুন
apply-err-latin = ইংরেজি অক্ষরে লিখুন
apply-err-age = বয়স ০ থেকে ১৫০-এর মধ্যে অঙ্কে লিখুন
apply-err-rows = অন্তত একটি সারি পূরণ করুন
apply-err-address = ঠিকানা বেশি লম্বা: ডাকঘর, উপজেলা ও জেলা মিলিয়ে ২০০ অক্ষরের মধ্যে রাখুন
apply-err-centre = ডিজিটাল সেন্টারের নাম লিখুন (সর্বোচ্চ { $max } অক্ষর)
apply-err-document-size = { $name } ফাইলটি { $mb } মেগাবাইটের বেশি
apply-err-document-count = সর্বোচ্চ { $max }টি ফাইল দেওয়া যায়
apply-err-document-type = { $name } ফাইলটি JPEG, PNG বা PDF নয়
apply-err-document-base64 = ফাইলের content_base64 পড়া গেল না
apply-invalid = আবেদনের কিছু ঘর ঠিক নেই
apply-form-unreadable = ফর্মটি পড়া গেল না; আবার চেষ্টা করুন
apply-api-json = JSON পড়া গেল না: { $error }

## Answers
apply-done-title = আবেদন জমা হয়েছে
apply-resubmitted-title = সংশোধিত আবেদন জমা হয়েছে
apply-your-tracking = আপনার ট্র্যাকিং নম্বর
apply-keep-tracking = নম্বরটি লিখে রাখুন: এটি ও আপনার মোবাইল নম্বর দিয়ে আবেদনের অবস্থা দেখা যাবে।
apply-entered-at = যেখানে জমা হলো
apply-next-title = এরপর কী হবে
apply-next-sms = আবেদন পাওয়ার এসএমএস আপনার মোবাইলে যাবে।
apply-next-review = ওয়ার্ড কাউন্সিলর (ইউনিয়নে সদস্য) ও মেয়র বা চেয়ারম্যান আবেদনটি যাচাই করবেন।
apply-next-fee = অফিসের কাউন্টারে ফি দিন
apply-next-result = সনদ দেওয়া হলে, বা সংশোধন দরকার হলে, এসএমএসে জানানো হবে।
apply-not-offered-title = এই সনদ অনলাইনে নেওয়া হচ্ছে না
apply-not-offered = এই অফিস এখন { $type_bn }-এর আবেদন অনলাইনে নিচ্ছে না। অফিসে যোগাযোগ করুন।
apply-not-offered-api = এই সনদের আবেদন নেওয়া হচ্ছে না
apply-unknown-type-title = এমন সনদ নেই
apply-unknown-type = এই নামে কোনো সনদ নেই। তালিকা থেকে বেছে নিন।
apply-duplicate-title = একই আবেদন আগেই জমা আছে
apply-duplicate = এই ব্যক্তির এই সনদের একটি আবেদন এখনো চলছে: ট্র্যাকিং নম্বর { $tracking }। নতুন আবেদন রাখা হয়নি; সেটির অবস্থা দেখুন।
apply-bad-tracking-title = ট্র্যাকিং নম্বর ঠিক নেই
apply-bad-tracking = ট্র্যাকিং নম্বরটি পড়া গেল না। এটি দেখতে A-42-এর মতো।
apply-not-editable-title = এই আবেদন এখন সংশোধন করা যায় না
apply-not-editable = শুধু সংশোধনের জন্য ফেরত পাঠানো আবেদন সংশোধন করা যায়। এই আবেদনের অবস্থা: { $status_bn }।
apply-no-document = এমন কোনো কাগজ নেই

## Correcting, status
apply-edit-intro = সংশোধনের জন্য ফেরত আসা আবেদন:
apply-edit-note = কর্মকর্তার মন্তব্য
apply-unlock-title = আবেদন সংশোধন
apply-unlock-intro = আবেদনে যে মোবাইল নম্বর দিয়েছিলেন সেটি লিখুন।
apply-unlock = খুলুন
apply-correct = সংশোধন করুন
apply-tracking = ট্র্যাকিং নম্বর
apply-status-title = আবেদনের অবস্থা
apply-status-link = আবেদনের অবস্থা দেখুন
apply-status-intro = ট্র্যাকিং নম্বর ও আবেদনে দেওয়া মোবাইল নম্বর লিখুন।
apply-status-check = দেখুন
apply-history = ইতিহাস
apply-lookup-refused = এই ট্র্যাকিং নম্বর ও মোবাইল নম্বরে কোনো আবেদন পাওয়া গেল না। দুটোই আবার দেখে নিন।
apply-lookup-wait = অনেকবার চেষ্টা হয়েছে: { $seconds } সেকেন্ড পরে আবার চেষ্টা করুন।
apply-status-submitted = জমা হয়েছে, যাচাই চলছে
apply-status-awaiting_second = প্রথম অনুমোদন হয়েছে, দ্বিতীয়টির অপেক্ষা
apply-status-sent_back = সংশোধনের জন্য ফেরত
apply-status-approved = অনুমোদিত, সনদ দেওয়া হয়েছে
apply-status-rejected = নামঞ্জুর
apply-action-submit = জমা
apply-action-resubmit = সংশোধন করে আবার জমা
apply-action-pay = ফি পরিশোধ
apply-action-approve_first = প্রথম অনুমোদন
apply-action-approve = অনুমোদন ও সনদ প্রদান
apply-action-hold = দ্বিতীয় কর্মকর্তার অনুমোদনের অপেক্ষায়
apply-action-send_back = সংশোধনের জন্য ফেরত
apply-action-reject = নামঞ্জুর

## SMS
sms-received = আপনার { $type }-এর আবেদন পাওয়া গেছে। ট্র্যাকিং নং { $tracking }। অবস্থা জানতে এই নম্বর ও আপনার মোবাইল নম্বর লাগবে।
sms-kind-received = আবেদন প্রাপ্তি
