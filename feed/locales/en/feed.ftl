protocol-unknown-key = { $document ->
        [page] feed page
       *[status-list] status list
    } key { $key } is not in the trust list
protocol-key-not-valid = { $document ->
        [page] feed page
       *[status-list] status list
    } key { $key } may not sign for office { $office }
protocol-office-changed = this feed served office { $was }, now { $now }
protocol-misplaced = inconsistent feed position: asked for events after { $asked }, got a page of events { $after }..{ $end }
protocol-head-behind = inconsistent feed position: the feed's head { $head } is behind the position { $position }
protocol-no-progress = the feed makes no progress after { $position } (head { $head })
protocol-status-ahead = inconsistent feed position: the status list is at { $list } but the feed's head was { $head }
protocol-fork = the feed's history disagrees with the one already held at position { $position } (a fork): refused
protocol-pin-mismatch = the feed's history disagrees with the trust list's pin at position { $position } for compromised key { $key } (a fork, perhaps made with the stolen key): refused
