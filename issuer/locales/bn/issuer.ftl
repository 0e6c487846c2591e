# The issuer's words in Bangla (first on every page). The same ids in ../en/issuer.ftl.
# The certificate's formal wording is not here: see ../../wording/.


## The printed certificate (templates/print.html)
cert-no = সনদ নং
revoked-band = এই সনদ বাতিল করা হয়েছে
revoked-mark = বাতিল
specimen = নমুনা — উন্নয়ন চাবি
specimen-note = এই সনদ আসল নয়
government = গণপ্রজাতন্ত্রী বাংলাদেশ সরকার
date = তারিখ
christian-era = খ্রিষ্টাব্দ
bangla-era = বঙ্গাব্দ
prepared-by = প্রস্তুতকারী
name-and-designation = নাম ও পদবি
scan-to-verify = যাচাই করতে কিউআর কোডটি স্ক্যান করুন
key-id = চাবি
signatory = মেয়র / চেয়ারম্যান
qr-marked = চিহ্নিত তথ্য কিউআর কোডে অফিসের ডিজিটাল স্বাক্ষরসহ সংরক্ষিত; যাচাইয়ের ফলাফলের সঙ্গে মিলিয়ে নিন।

## The list of heirs or family members (templates/persons.html)
list-no = ক্রমিক
list-name = নাম
list-relation = সম্পর্ক
list-age = বয়স

## Log in and the home page (templates/login.html, home.html)
log-in = লগ ইন
account = অ্যাকাউন্ট
password = পাসওয়ার্ড
sonod = সনদ
issuer = সনদ
certificate-serial = সনদ নং
print = মুদ্রণ
api-tokens = API টোকেন
log-out = লগ আউট

## Facts and values in Rust (paper/print.rs, paper/wording.rs)
fact-issued = প্রদানের তারিখ
fact-expires = মেয়াদ শেষ
date-cell = { $date } খ্রি. ({ $bs } বঙ্গাব্দ)
see-list = উপরের তালিকা দেখুন ({ $n } জন)
person-age = { $age } বছর

## Web errors (server/web.rs)
no-certificate = এই ক্রমিক নম্বরের কোনো সনদ নেই
