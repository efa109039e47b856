package io.kybern.apiserver.http;

import io.kybern.apiserver.status.ApiException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Reads whole request bodies, answering an oversize one with Kubernetes' 413 Status. */
final class BodyAggregator extends HttpObjectAggregator {

    private final int limit;

    BodyAggregator(int limit) {
        super(limit);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(RequestHandler.statusResponse(ApiException.tooLarge(limit)))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
