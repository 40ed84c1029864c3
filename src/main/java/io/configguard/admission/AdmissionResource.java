package io.configguard.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.jboss.logging.Logger;

/** {@code POST /validate}: the HTTP face of {@link AdmissionHandler}, and nothing more. */
@Path("/validate")
public class AdmissionResource {
  private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

  private final Webhook webhook;

  public AdmissionResource(Webhook webhook) {
    this.webhook = webhook;
  }

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public Response validate(byte[] body) {
    if (!webhook.index().isLoaded()) {
      // Answering "allowed" with no policies would wave everything through: let the API server
      // apply the webhook's failurePolicy instead.
      webhook.metrics().badRequest();
      return status(
          Response.Status.SERVICE_UNAVAILABLE, "ServiceUnavailable", "policies are not loaded yet");
    }
    Review review;
    try {
      review = Review.read(body);
    } catch (JsonProcessingException e) {
      // The original message names the problem and position without quoting the body.
      return badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return badRequest("unreadable body: " + e.getMessage());
    } catch (Review.BadReviewException e) {
      return badRequest("not an admission.k8s.io/v1 AdmissionReview: " + e.getMessage());
    }
    var response = webhook.handler().handle(review);
    return Response.ok(
            new AdmissionReviewBuilder()
                .withApiVersion(Review.API_VERSION)
                .withKind(Review.KIND)
                .withResponse(response)
                .build())
        .build();
  }

  private Response badRequest(String reason) {
    webhook.metrics().badRequest();
    LOG.debugf("rejected request: %s", reason);
    return status(Response.Status.BAD_REQUEST, "BadRequest", reason);
  }

  /** An error in the shape of a Kubernetes Status, which is what API clients expect to read. */
  private static Response status(Response.Status status, String reason, String message) {
    return Response.status(status)
        .entity(
            new StatusBuilder()
                .withStatus("Failure")
                .withCode(status.getStatusCode())
                .withReason(reason)
                .withMessage(message)
                .build())
        .build();
  }
}
