require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" ["1", text:
3
.
, "5"] {
  fileinto "yes";
}
