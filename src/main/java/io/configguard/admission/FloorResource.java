package io.configguard.admission;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/**
 * {@code POST /bench/allow}: the load benchmark's floor. It decodes the AdmissionReview as {@link
 * AdmissionResource} does and allows it without evaluating anything, so that the bench can divide
 * the webhook's throughput by that of the same server, TLS stack and JSON in one run. It exists
 * only in a build made with {@code -Dquarkus.profile=bench} (bench/load/run.sh); the production
 * build has no such route (WebhookHttpsIT checks the 404).
 */
@IfBuildProfile("bench")
@Path("/bench/allow")
public class FloorResource {
  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public Response allow(byte[] body) throws IOException, Review.BadReviewException {
    Review review = Review.read(body);
    return Response.ok(
            new AdmissionReviewBuilder()
                .withApiVersion(Review.API_VERSION)
                .withKind(Review.KIND)
                .withResponse(
                    new AdmissionResponseBuilder().withUid(review.uid()).withAllowed(true).build())
                .build())
        .build();
  }
}
