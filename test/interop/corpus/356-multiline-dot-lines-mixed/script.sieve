require ["variables", "fileinto"];
set "t" text:
.a
..b
...c
.
;
set :length "n" "${t}";
fileinto "len-${n}";
