protocol-unknown-key = { $document ->
        [page] ফিডের
       *[status-list] স্ট্যাটাস-তালিকার
    } চাবি { $key } বিশ্বাস-তালিকায় নেই
protocol-key-not-valid = { $document ->
        [page] ফিডের
       *[status-list] স্ট্যাটাস-তালিকার
    } চাবি { $key } অফিস { $office } এর জন্য গ্রহণযোগ্য নয়
protocol-office-changed = এই ফিড অফিস { $was } এর, এখন { $now }
protocol-misplaced = ফিডের অবস্থান অসঙ্গত
protocol-head-behind = ফিডের অবস্থান অসঙ্গত
protocol-no-progress = ফিড এগোচ্ছে না
protocol-status-ahead = ফিডের অবস্থান অসঙ্গত
