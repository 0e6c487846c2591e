read-file-too-large = file larger than { $n0 } bytes
read-image-too-large = image too large ({ $n0 }×{ $n1 } pixels)
read-empty = the file is empty
read-not-an-image = not a readable image: { $n0 }
read-pdf = cannot read the PDF: { $n0 }
read-expands = a compressed part of the file expands past { $mib } MiB
read-pdf-unsupported = this PDF uses something not read here: { $n1 }
read-timed-out = no QR code found in time ({ $ms } ms)
