require ["fileinto", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" text:
12
..
.. more
.
{
  fileinto "yes";
}
fileinto "after";
