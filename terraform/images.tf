# Which image the services run, and what happens before the first image exists
# (docs/adr/0015-first-deploy-before-any-image.md).
#
# The repositories are created by this configuration, so on the first deploy no image can have been
# pushed yet. With image_tag empty the services are created without tasks (desired count 0,
# autoscaling 0-0): nothing tries to pull, and the deploy's wait for stable services passes. The
# image build then pushes into the repositories, the pipeline passes the pushed tag, and the next
# deploy scales the services to their min_capacity. The pipeline refuses, before it plans, a tag that
# is not in both repositories (IMAGE_GATE_PY in .github/workflows), so no deploy starts tasks that
# cannot pull their image.

locals {
  images_pending = var.image_tag == ""
  # Never pulled: a task definition must name an image, and a service without tasks starts none.
  deployed_tag = local.images_pending ? "no-image-pushed-yet" : var.image_tag
}
