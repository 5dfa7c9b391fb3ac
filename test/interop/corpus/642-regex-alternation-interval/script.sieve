require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "subject" "(Re|Fwd): " { fileinto "alt"; }
if header :regex "subject" "o{2}" { fileinto "o2"; }
if header :regex "subject" "r{2,3}o" { fileinto "r23"; }
if header :regex "subject" "e{3,}" { fileinto "e3"; }
if header :regex "subject" "^(\\[[^]]*\\] )?Re:" { fileinto "opt"; }
