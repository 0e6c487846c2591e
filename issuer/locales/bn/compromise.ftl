# বেহাত চাবির পর নতুন করে সিলমোহর (issuer/src/server/reseal.rs)।
reseal-route-invalid-body = অনুরোধে {"{"}"compromised": "<১৬ হেক্স অঙ্ক>"{"}"} থাকতে হবে: { $error }
reseal-route-same-key = সেবাটি এখনও বেহাত চাবি { $key } দিয়ে স্বাক্ষর করছে: আগে নতুন চাবি বসিয়ে পুনরায় লোড করুন (POST /api/v1/admin/reload-key)
