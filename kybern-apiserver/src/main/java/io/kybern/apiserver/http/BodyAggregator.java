package io.kybern.apiserver.http;

import io.kybern.apiserver.status.ApiException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.concurrent.TimeUnit;

/** Reads whole request bodies, answering an oversize one with Kubernetes' 413 Status. */
final class BodyAggregator extends HttpObjectAggregator {

    /** How long an HTTP/1.1 connection stays open after a 413 for the client to stop sending and read it. */
    private static final long LINGER_MILLIS = 1000;

    private final int limit;
    private boolean closeAfterBody;

    BodyAggregator(int limit) {
        super(limit);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ChannelFuture answered = ctx.writeAndFlush(RequestHandler.statusResponse(ApiException.tooLarge(limit)));
        if (ctx.channel() instanceof Http2StreamChannel) {
            // The answer is complete, so the client may stop sending the rest: a reset with NO_ERROR says
            // so (RFC 9113 section 8.1). Closing the stream would reset it with CANCEL, which clients such
            // as the JDK's HTTP client take as a failed request and drop the 413 they were sent.
            answered.addListener(done -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR)));
        } else {
            // Closing while the client still sends would reset the connection and could destroy the answer
            // before the client read it; so the rest of the body is discarded and the connection closed
            // once it has arrived, or after a short grace for a client that keeps sending. (Marking the answer
            // Connection: close would have the keep-alive handler close at once, which is the problem.)
            closeAfterBody = true;
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        boolean last = closeAfterBody && msg instanceof LastHttpContent;
        super.channelRead(ctx, msg);
        if (last) {
            ctx.close();
        }
    }
}
