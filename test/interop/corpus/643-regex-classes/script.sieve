require ["date", "fileinto", "relational", "variables", "index", "regex", "comparator-i;ascii-numeric"];
if header :regex "subject" "[[:digit:]]{2}" { fileinto "digit"; }
if header :regex "subject" "^[[:punct:]][[:alpha:]]+-[[:lower:]][]]" { fileinto "punct"; }
if header :regex "subject" "[[:space:]][[:upper:]][[:lower:]]+ [[:upper:]]" { fileinto "upper"; }
if header :regex "x-path" "[^[:alnum:]]" { fileinto "nonalnum"; }
