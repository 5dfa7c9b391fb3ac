require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" text: # the number
7
.
{
  fileinto "yes";
}
