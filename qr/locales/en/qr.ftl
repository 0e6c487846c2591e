read-file-too-large = file larger than { $n0 } bytes
read-image-too-large = image too large ({ $n0 }×{ $n1 } pixels)
read-empty = the file is empty
read-not-an-image = not a readable image: { $n0 }
read-pdf = cannot read the PDF: { $n0 }
read-expands = a compressed part of the file expands past { $mib } MiB
read-pdf-unsupported = this PDF uses something not read here: { $what ->
        [encrypted] an encrypted PDF
        [stored-elsewhere] a stream whose filter or image size is stored elsewhere
        [damaged] a damaged compressed stream
        [overlapping] streams that overlap one another
        [fax-without-height] a fax-compressed (CCITT) image without a height
        [jbig2] JBIG2-compressed images (scan to JPEG or PNG instead)
       *[other] something unknown
    }
read-timed-out = no QR code found in time ({ $ms } ms)
