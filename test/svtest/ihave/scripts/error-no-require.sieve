error "Nothing to do";
