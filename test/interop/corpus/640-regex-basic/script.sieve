require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "subject" "Meeting" { fileinto "anywhere"; }
if header :regex "subject" "^Meeting" { fileinto "anchored"; }
if header :regex "subject" "[0-9]+$" { fileinto "end"; }
if header :regex "subject" "^\\[list-[a-z]+\\]" { fileinto "prefix"; }
