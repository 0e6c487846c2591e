# The HTTP shell's words in Bangla. The same ids in ../en/serve.ftl.

## Problem titles by status (the English title is the status's reason phrase)
title-400 = অনুরোধটি ঠিক নেই
title-401 = প্রবেশাধিকার প্রয়োজন
title-403 = অনুমতি নেই
title-404 = পাওয়া যায়নি
title-405 = এই পদ্ধতি চলে না
title-408 = অনুরোধের সময় শেষ
title-409 = সংঘাত
title-413 = অনুরোধ অনেক বড়
title-415 = এই ধরনের বিষয়বস্তু চলে না
title-422 = অনুরোধটি গ্রহণযোগ্য নয়
title-429 = অনেক বেশি অনুরোধ
title-500 = অভ্যন্তরীণ ত্রুটি
title-503 = সেবা এখন পাওয়া যাচ্ছে না
title-other = ত্রুটি

## Problem details
busy = সেবা এখন ব্যস্ত; একটু পরে আবার চেষ্টা করুন
too-many-connections = অনেক বেশি সংযোগ খোলা; একটু পরে আবার চেষ্টা করুন
not-ready = সেবা প্রস্তুত নয়
metrics-failed = মেট্রিক্স লেখা যায়নি
not-json = Content-Type হতে হবে application/json
not-found = পাওয়া যায়নি
method-not-allowed = এই পদ্ধতি চলে না
timed-out = অনুরোধের উত্তর দিতে বেশি সময় লাগল; আবার চেষ্টা করুন
