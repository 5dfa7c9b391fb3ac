require "fileinto";
if header :matches "subject" text:
Meeting*
.
{
  fileinto "stripped";
} else {
  fileinto "kept";
}
