require ["fileinto", "encoded-character", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-n" text:
${hex:34 32}
.
{
  fileinto "yes";
}
